"""Random synthetic persons for benchmarks: many different names, addresses and dates, so that accuracy is not
measured on seven fixed strings. Seeded; never real people."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from taimen.samples.persons import LicenseFacts, Person, ResidenceFacts


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FAMILY = _words(
    "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 "
    "林 斎藤 清水 山崎 森 池田 橋本 阿部 石川 山下 中島 石井 小川 前田 岡田 長谷川 藤田 後藤 "
    "近藤 村上 遠藤 青木 坂本 福田 太田 西村 藤井 金子 岡本 藤原 三浦 中野 中川 原田 松田 "
    "竹内 小野 田村 中山 和田 石田 森田 上田 原 内田 柴田 酒井 宮崎 横山 高木 安藤 宮本 大野 "
    "小島 谷口 今井 工藤 高田 増田 丸山 杉山 村田 大塚 新井 小山 平野 藤本 河野 上野 野口 "
    "武田 松井 千葉 岩崎 菅原 木下 久保 佐野 野村 松尾 市川 菊地 杉本 古川 大西 島田 水野 "
    "桜井 高野 五十嵐 川口 久保田 服部 東 岩田 土屋 福島 本田 辻 樋口 秋山 田口 永井 中西 "
    "吉村 石原 大橋 松岡 馬場 浅野 荒木 大久保 野田 黒田 尾崎 望月 熊谷 内藤 早川 篠原 須藤 "
    "河合 勅使河原 髙橋 齋藤 渡邊 濱田 小野寺 日比野 四ノ宮 "
)
GIVEN_M = _words(
    "太郎 一郎 健太 翔太 大輔 拓也 直樹 誠 剛 茂 博 隆 浩 学 修 明 進 勇気 蓮 湊 陽翔 樹 "
    "悠真 健一 和夫 正男 隆之 雄一 大翔 光 晴人 "
)
GIVEN_F = _words(
    "花子 裕子 恵子 京子 洋子 幸子 美咲 陽菜 結衣 さくら 葵 凛 美優 真由美 由美子 智子 直美 "
    "久美子 恵美 明美 千尋 あゆみ みどり 紬 芽依 莉子 "
)
KANA = _words("ヤマダ サトウ タナカ スズキ コバヤシ ワタナベ")
LATIN_FAMILY = _words(
    "SMITH JOHNSON NGUYEN TRAN GARCIA SILVA KIM PARK LEE WANG CHEN SANTOS FERNANDES MULLER ROSSI KUMAR SHARMA "
)
LATIN_GIVEN = _words("JOHN MARY MINH THI MARIA ANA JIHO WEI LING CARLOS PEDRO ANNA LUCA PRIYA RAJ DAVID EMMA")
NATIONALITIES = (
    "米国",
    "ベトナム",
    "中国",
    "韓国",
    "フィリピン",
    "ブラジル",
    "ネパール",
    "インド",
    "イタリア",
    "ドイツ",
)
STATUS = (
    "技術・人文知識・国際業務",
    "永住者",
    "留学",
    "家族滞在",
    "特定技能",
    "定住者",
    "技能実習",
    "日本人の配偶者等",
)
PLACES = (
    ("東京都", "千代田区", ("丸の内", "霞が関", "神田神保町", "麹町")),
    ("東京都", "新宿区", ("西新宿", "高田馬場", "四谷")),
    ("東京都", "世田谷区", ("三軒茶屋", "成城", "桜新町")),
    ("東京都", "八王子市", ("元本郷町", "旭町")),
    ("神奈川県", "横浜市中区", ("山下町", "本町", "元町")),
    ("神奈川県", "川崎市幸区", ("堀川町", "大宮町")),
    ("大阪府", "大阪市北区", ("梅田", "中之島", "天神橋")),
    ("大阪府", "堺市堺区", ("南瓦町", "大町東")),
    ("愛知県", "名古屋市中区", ("三の丸", "栄", "錦")),
    ("北海道", "札幌市中央区", ("北一条西", "大通西", "南三条西")),
    ("福岡県", "福岡市博多区", ("博多駅前", "中洲")),
    ("京都府", "京都市中京区", ("寺町通", "烏丸通")),
    ("宮城県", "仙台市青葉区", ("国分町", "一番町")),
    ("広島県", "広島市中区", ("基町", "紙屋町")),
    ("沖縄県", "那覇市", ("泉崎", "久茂地")),
    ("長野県", "北安曇郡白馬村", ("北城", "神城")),
    ("静岡県", "浜松市中央区", ("元城町", "鍛冶町")),
    ("埼玉県", "さいたま市浦和区", ("高砂", "常盤")),
)
BUILDINGS = ("グランドメゾン", "コーポ", "ハイツ", "パークハウス", "レジデンス", "サンシャイン")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _fw(n: int) -> str:
    return str(n).translate(FULLWIDTH)


def address(rng: random.Random) -> str:
    pref, city, towns = rng.choice(PLACES)
    town = rng.choice(towns)
    a = f"{pref}{city}{town}{_fw(rng.randint(1, 9))}丁目{_fw(rng.randint(1, 30))}番{_fw(rng.randint(1, 40))}号"
    if rng.random() < 0.3:
        a += f"\u3000{rng.choice(BUILDINGS)}{town}{_fw(rng.randint(1, 12) * 100 + rng.randint(1, 12))}号室"
    return a


def _birthday_after(birth: date, year: int) -> date:
    try:
        return birth.replace(year=year)
    except ValueError:  # 29 February
        return date(year, 3, 1)


def random_person(
    rng: random.Random, *, foreign: bool = False, license: bool = False, key: str = "synthetic"
) -> Person:
    birth = date(1935, 1, 1) + timedelta(days=rng.randrange((date(2021, 12, 31) - date(1935, 1, 1)).days))
    if license:
        birth = min(birth, date(2005, 3, 31))
    sex = rng.choice("12")
    issue = date(rng.randint(2016, 2025), rng.randint(1, 12), rng.randint(1, 28))
    adult = (issue - birth).days >= 18 * 365
    expiry = _birthday_after(birth, issue.year + (10 if adult else 5))
    if foreign:
        family, given = rng.choice(LATIN_FAMILY), rng.choice(LATIN_GIVEN)
        fk, gk = "スミス", "ジョン"
    else:
        family = rng.choice(FAMILY)
        given = rng.choice(GIVEN_M if sex == "1" else GIVEN_F)
        fk, gk = rng.choice(KANA), rng.choice(KANA)
    p = Person(
        key=key,
        family_name=family,
        given_name=given,
        family_kana=fk,
        given_kana=gk,
        birth_date=birth,
        sex=sex,
        address=address(rng),
        birth_calendar="seireki" if foreign else "wareki",
        nationality="XX" if foreign else "JP",
        mynumber_issue=issue,
        mynumber_expiry=expiry,
        security_code=f"{rng.randrange(10000):04d}",
        individual_number_base=f"{rng.randrange(10**11):011d}",
        face_seed=rng.randrange(1, 10_000),
    )
    if license:
        lic_issue = date(rng.randint(2016, 2025), rng.randint(1, 12), rng.randint(1, 28))
        lic_exp = _birthday_after(birth, lic_issue.year + rng.choice((3, 5))) + timedelta(days=30)
        p = replace(
            p,
            license=LicenseFacts(
                number=f"{rng.randrange(10**12):012d}",
                issue=lic_issue,
                expiry=lic_exp,
                color=rng.choice(("優良", "一般", "新規")),
                conditions=rng.choice(((), ("眼鏡等",), ("眼鏡等", "中型車は中型車（８ｔ）に限る"))),
                categories={
                    "普通": birth.replace(year=birth.year + 18)
                    if birth.month != 2 or birth.day != 29
                    else date(birth.year + 18, 3, 1)
                },
                commission=f"{p.address[:3] if p.address[2] in '都道府県' else p.address[:4]}公安委員会",
                reference_number=f"{rng.randrange(100000):05d}",
            ),
        )
    if foreign:
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        num = (
            "".join(rng.choice(letters) for _ in range(2))
            + f"{rng.randrange(10**8):08d}"
            + "".join(rng.choice(letters) for _ in range(2))
        )
        p = replace(
            p,
            residence=ResidenceFacts(
                card_number=num,
                expiry=_birthday_after(birth, issue.year + rng.choice((1, 3, 5))),
                nationality=rng.choice(NATIONALITIES),
                status=rng.choice(STATUS),
            ),
        )
    return p
