"""Character variants the recogniser produces that a Japanese card cannot carry.

The PP-OCR dictionary mixes Chinese and Japanese. A simplified-Chinese form (爱, 东, 边) never appears on a
Japanese card, so mapping it to the Japanese form is always right; ``SIMPLIFIED`` is applied only to
characters outside JIS X 0208 and its vendor extensions (checked at import). Traditional forms that are
valid JIS characters (號, 區, 濱) can be printed in names, so they are mapped only where they cannot occur:
in addresses (``ADDRESS``).
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _japanese(ch: str) -> bool:
    for codec in ("euc_jp", "cp932"):
        try:
            ch.encode(codec)
            return True
        except UnicodeEncodeError:
            pass
    return False


_PAIRS = (
    "爱愛 东東 县県 丰豊 发発 广広 门門 马馬 鸟鳥 岛島 桥橋 龙竜 边辺 济済 泽沢 滨浜 荣栄 严厳 宫宮 乡郷 仓倉 冈岡 "
    "义義 乐楽 书書 为為 丽麗 华華 汉漢 阳陽 阴陰 顺順 陆陸 长長 间間 关関 阁閣 闻聞 问問 风風 飞飛 饭飯 馆館 驿駅 "
    "铁鉄 钱銭 银銀 镇鎮 锦錦 铃鈴 钟鐘 针針 钓釣 纪紀 红紅 纳納 纯純 纸紙 线線 绿緑 绘絵 结結 给給 统統 经経 续続 "
    "织織 罗羅 网網 丝糸 亚亜 树樹 杨楊 莲蓮 苏蘇 园園 围囲 图図 团団 圆円 场場 坏壊 块塊 坚堅 实実 宁寧 宽寛 对対 "
    "尔爾 层層 岁歳 岭嶺 币幣 师師 帐帳 带帯 庆慶 库庫 应応 废廃 开開 异異 弃棄 张張 归帰 录録 忆憶 怀懐 总総 恶悪 "
    "惊驚 惯慣 战戦 户戸 执執 扩拡 护護 报報 拥擁 择択 换換 损損 摄摂 敌敵 斋斎 无無 时時 显顕 晓暁 权権 杀殺 杂雑 "
    "杰傑 极極 构構 标標 栈桟 梦夢 检検 樱桜 欢歓 气気 沟溝 泪涙 测測 浓濃 涂塗 渊淵 满満 灭滅 灵霊 灾災 炼錬 烟煙 "
    "热熱 爷爺 牵牽 犹猶 猎猟 环環 现現 畅暢 疗療 监監 盖蓋 盘盤 矿鉱 础礎 确確 离離 种種 积積 稳穏 穷窮 竞競 笔筆 "
    "简簡 粮糧 紧緊 继継 罢罷 职職 肃粛 胜勝 脑脳 脏臓 艺芸 节節 苍蒼 范範 茧繭 荐薦 药薬 获獲 营営 蓝藍 虏虜 虑慮 "
    "补補 观観 规規 视視 览覧 觉覚 订訂 认認 讨討 让譲 训訓 议議 讯訊 记記 讲講 许許 论論 设設 访訪 证証 评評 识識 "
    "诉訴 词詞 译訳 试試 诗詩 诚誠 话話 该該 详詳 语語 误誤 说説 请請 诸諸 读読 调調 谈談 谢謝 贝貝 负負 贡貢 财財 "
    "责責 贤賢 败敗 货貨 质質 贩販 贯貫 贵貴 贷貸 费費 贺賀 资資 赏賞 赐賜 赞賛 车車 轨軌 轩軒 转転 轮輪 软軟 轻軽 "
    "载載 较較 辈輩 辉輝 输輸 达達 迁遷 过過 运運 还還 这這 进進 远遠 违違 连連 迟遅 选選 递逓 遗遺 邮郵 邻隣 酱醤 "
    "释釈 钢鋼 铜銅 铭銘 锁鎖 锅鍋 错錯 锻鍛 镜鏡 队隊 阶階 际際 陈陳 险険 隐隠 难難 须須 顶頂 项項 顾顧 顿頓 预預 "
    "领領 频頻 题題 颜顔 额額 驱駆 验験 骑騎 鱼魚 鲁魯 鲜鮮 鸡鶏 鹤鶴 齐斉 齿歯 龟亀 惠恵 "
    # one Japanese form each, common in places and names (别府 read for 別府 at 0.99998: 別 kept 2e-5)
    "别別 绳縄 练練 卫衛 乌烏 鸣鳴 凤鳳 涩渋 军軍 动動 劳労 势勢 单単 卖売 员員 处処 头頭 妇婦 孙孫 尧尭 巢巣 强強 "
    "术術 栏欄 汤湯 泷滝 洁潔 润潤 渔漁 滩灘 烧焼 电電 盐塩 约約 级級 纲綱 组組 细細 终終 绍紹 维維 绵綿 缘縁 编編 "
    "苇葦 见見 计計 课課 谱譜 贞貞 赖頼 跃躍 铅鉛 铸鋳 锐鋭 锡錫 闲閑 阵陣 雾霧 页頁 饰飾 驹駒 驾駕 鲤鯉 鲸鯨 鸭鴨 "
    "鸿鴻 鹰鷹 郑鄭 邓鄧 厅庁"
)
SIMPLIFIED: dict[str, str] = {p[0]: p[1] for p in _PAIRS.split() if not _japanese(p[0]) and _japanese(p[1])}
ADDRESS = str.maketrans({"號": "号", "區": "区", "縣": "県", "霸": "覇"})


def japanese(text: str) -> str:
    """Replace characters no Japanese card can print by their Japanese forms."""
    return "".join(SIMPLIFIED.get(ch, ch) for ch in text)


def address(text: str) -> str:
    return japanese(text).translate(ADDRESS)


#: The 47 prefectures: every Japanese address starts with one of them.
PREFECTURES = _words(
    "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 神奈川県 "
    "新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 大阪府 兵庫県 "
    "奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 福岡県 佐賀県 長崎県 "
    "熊本県 大分県 宮崎県 鹿児島県 沖縄県"
)


def prefecture(text: str) -> str:
    """Repair a misread prefecture at the start of an address (冲縄県 → 沖縄県, 神奈川集 → 神奈川県): one
    wrong character in a prefecture's name is corrected when exactly one prefecture is that close."""
    if text.startswith(PREFECTURES):
        return text
    close = [  # a space is no misread character: 「石川 美穂」 is not 石川県
        p
        for p in PREFECTURES
        if len(text) > len(p)
        and not text[: len(p)].count(" ")
        and sum(a != b for a, b in zip(text, p, strict=False)) == 1
        # 「熊本市」, 「千葉市」: a municipality named like its prefecture (the prefecture lost), not 県 misread
        and text[len(p) - 1] not in "市区町村郡"
    ]
    if len(close) == 1:
        p = close[0]
        return p + text[len(p) :]
    return text


#: Forms of one character that names are registered (and printed) with: 﨑 and 崎 are different names to
#: the chip. The recogniser's dictionary lacks some of them (﨑, 𠮷, 濵) and its Japanese prior leans to the
#: common form, so a name read with any member of a group may be the other: ``fieldread`` doubts it unless the
#: recogniser itself gave the other forms no weight.
_NAME_GROUPS = _words(
    "崎﨑嵜 吉𠮷 浜濱濵 高髙 辺邊邉 斎齋齊 沢澤 広廣 柳栁 桜櫻 徳德 恵惠 黒黑 横橫 国國 島嶋嶌 富冨 瀬瀨 真眞 "
    "槙槇 竜龍 晋晉 峰峯 桧檜 渕淵 曽曾 条條 蔵藏 彦彥 増增 穂穗 巻卷 沖冲 穣穰"
)
#: Old forms that Chinese kept as its standard glyph and Japanese replaced (增/増, 穗/穂, 德/徳 …): the recogniser
#: leans to them, so the Japanese prior weighs them down (``engine.CHINESE_FORM_WEIGHT``); each that names use is
#: in a name group above, so a name read either way is doubted where the other form had weight. 卷 (石巻 read
#: 石卷 without doubt), 冲 (沖縄), 舍 (舎) and 拔 (抜) are the standard simplified forms in Chinese. 穰 (穣 read
#: 穰 at 0.82 against 0.16 on the dev split) too; 薰 is outside JIS X 0208 and weighed down as such.
CHINESE_FORMS = frozenset("增穗德黑惠橫藏條瀨卷冲舍拔穰")
NAME_VARIANTS: dict[str, str] = {ch: g.replace(ch, "") for g in _NAME_GROUPS for ch in g}
#: Each name character with registered forms → its group, the common form first (浜濱濵: 浜).
NAME_GROUP: dict[str, str] = {ch: g for g in _NAME_GROUPS for ch in g}
