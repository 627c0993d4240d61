"""Screen text, Japanese first, English on request. Keys are stable; templates call ``t("key", **values)``."""

from __future__ import annotations

from collections.abc import Callable

LANGS = ("ja", "en")

STRINGS: dict[str, tuple[str, str]] = {
    # frame
    "app_title": ("対面 本人確認", "taimen identity check"),
    "demo_badge": ("デモ", "DEMO"),
    "switch_lang": ("English", "日本語"),
    "finish": ("終了（すべて消去）", "Finish (erase everything)"),
    "finish_hint": (
        "読み取った情報と撮影した画像をメモリと画面から消去します。",
        "Erases what was read and captured from memory and screen.",
    ),
    "steps_label": ("手順", "Steps"),
    "step_document": ("書類", "Document"),
    "step_capture": ("券面", "Card face"),
    "step_confirm": ("確認", "Confirm"),
    "step_read": ("読み取り", "Read"),
    "step_result": ("結果", "Result"),
    "step_current": ("（現在）", " (current)"),
    # readers
    "readers": ("カードリーダー", "Card readers"),
    "reader_none": (
        "カードリーダーが見つかりません。リーダーを接続してください。",
        "No card reader found. Connect a reader.",
    ),
    "reader_card": ("カードあり", "card present"),
    "reader_nocard": ("カードなし", "no card"),
    "reader_use": ("このリーダーを使う", "Use this reader"),
    "reader_selected": ("使用中", "in use"),
    "reader_kind_demo": ("仮想リーダー", "virtual reader"),
    "reader_kind_pcsc": ("PC/SC", "PC/SC"),
    # start
    "choose_title": ("書類を選んでください", "Choose the document"),
    "choose_lead": (
        "お客様の書類をカードリーダーに置くと、種類を自動で判定します。手動で選ぶこともできます。",
        "Place the customer's card on the reader to detect its type, or choose it yourself.",
    ),
    "doc_auto": ("自動判定（カードを置くと判定）", "Detect automatically (place the card)"),
    "detected": ("検出した書類", "Detected"),
    "detected_none": ("まだ判定していません。カードを置いてください。", "Nothing detected yet. Place the card."),
    "detected_unknown": ("対応していないカードです。", "This card is not a supported document."),
    "next": ("次へ", "Next"),
    "need_card": (
        "書類を判定できませんでした。カードをリーダーに置くか、書類の種類を選んでください。",
        "The document could not be detected. Place the card on the reader or choose the document.",
    ),
    "no_documents": (
        "読み取りに対応した書類がまだ組み込まれていません。",
        "No document types are installed in this build.",
    ),
    # capture
    "capture_title": ("券面を撮影", "Capture the card face"),
    "capture_lead": (
        "カードの表面をカメラに向けて撮影してください。券面の値を読み取り、照合に使う値を提案します。",
        "Hold the front of the card to the camera. taimen reads the printed values and proposes the unlock values.",
    ),
    "camera_start": ("カメラを起動", "Start camera"),
    "camera_shoot": ("撮影する", "Take photo"),
    "camera_stop": ("カメラを止める", "Stop camera"),
    "camera_unavailable": (
        "カメラを使えません。写真ファイルを選ぶか、手入力してください。",
        "The camera is not available. Choose a photo file or type the values.",
    ),
    "upload": ("写真ファイルを選ぶ", "Choose a photo file"),
    "use_sample_face": ("デモ：見本の券面を使う", "Demo: use the sample card face"),
    "type_values": ("撮影せずに手入力する", "Type the values instead"),
    "capture_working": ("券面を読み取っています…", "Reading the card face…"),
    "capture_done": ("券面を読み取りました。", "Card face read."),
    "captured_face": ("撮影した券面", "Captured card face"),
    # confirm
    "confirm_title": ("読み取りに使う値の確認", "Confirm the unlock values"),
    "confirm_lead": (
        "券面と見比べて、値が正しいことを確認してください。間違った値で照合すると残り回数が減ります。",
        "Compare with the card face. A wrong value spends one of the remaining tries.",
    ),
    "proposed_by_ocr": ("券面から読み取った値です。必ず券面と見比べてください。", "Read from the card face: check it."),
    "photo_other_document": (
        "撮影した券面は「{doc}」のようです。選んだ書類と違うため、値は提案していません。",
        "The photographed card looks like a {doc}, not the document chosen; no values were proposed.",
    ),
    "proposed_doubtful": (
        "読み取りに自信がありません。券面とよく見比べて、違っていれば直してください。",
        "OCR was unsure of this value: compare it with the card carefully and correct it.",
    ),
    "pin_entry_hint": ("お客様ご本人に入力していただいてください。", "Let the customer type this themselves."),
    "tries_title": ("残り回数（照合前に確認）", "Remaining tries (checked before any attempt)"),
    "tries_left": ("残り{n}回", "{n} left"),
    "tries_unknown": ("不明", "unknown"),
    "tries_locked": ("ロック中", "locked"),
    "tries_need_card": (
        "カードを置くと残り回数を確認します。",
        "Place the card to check the remaining tries.",
    ),
    "tries_locked_msg": (
        "ロックされているため読み取れません。解除は発行元（市区町村の窓口・警察署など）で行います。",
        "Locked: it cannot be read. The issuer (city office, police) can unlock it.",
    ),
    "tries_unknown_msg": (
        "カードが残り回数を返さないため、照合しません。",
        "The card did not report the remaining tries; taimen will not try.",
    ),
    "last_try_warning": (
        "残り1回です。間違えるとロックされ、窓口での解除が必要になります。",
        "Only one try is left. A wrong value locks it and the holder must have it unlocked at the issuer.",
    ),
    "last_try_confirm": (
        "値を確認しました。最後の1回を使って読み取ります。",
        "I have checked the values. Use the last try.",
    ),
    "read_start": ("読み取り開始", "Start reading"),
    "read_start_last": ("最後の1回で読み取り開始", "Read using the last try"),
    "back": ("戻る", "Back"),
    "field_invalid": ("形式が正しくありません", "invalid format"),
    "field_required": ("入力してください", "required"),
    "optional": ("（任意）", " (optional)"),
    "choice_auto": ("指定しない（自動）", "not specified (automatic)"),
    # reading
    "hold_card": ("カードをかざしたままにしてください", "Keep the card on the reader"),
    "reading": ("読み取り中", "Reading"),
    "exchanges": ("{n}回の通信", "{n} exchanges"),
    "retry": ("もう一度読み取る", "Read again"),
    "retry_hint": (
        "カードをリーダーに置き直してから押してください。残り回数を確認してから読み取ります。",
        "Put the card back on the reader, then press. The remaining tries are checked first.",
    ),
    "read_failed": ("読み取りできませんでした", "The card could not be read"),
    # result
    "result_title": ("確認結果", "Result"),
    "verdict": ("判定", "Verdict"),
    "reasons": ("理由", "Reasons"),
    "chip_photo": ("ICチップの顔写真", "Photo from the chip"),
    "printed_photo": ("券面の顔写真（撮影）", "Printed photo (captured)"),
    "chip_photo_missing": ("ICチップに顔写真がありません", "No photo on the chip"),
    "capture_missing": ("券面は撮影されていません", "The card face was not captured"),
    "compare_person": (
        "ICチップの顔写真と、目の前のお客様・券面の写真を見比べてください。",
        "Compare the chip photo with the person in front of you and the printed photo.",
    ),
    "fields_title": ("ICチップと券面の記載事項", "Chip and printed fields"),
    "col_item": ("項目", "Item"),
    "col_chip": ("ICチップ", "Chip"),
    "col_printed": ("券面", "Printed"),
    "col_match": ("照合", "Match"),
    "match_yes": ("一致", "match"),
    "match_no": ("不一致", "MISMATCH"),
    "match_none": ("券面の値なし", "no printed value"),
    "match_doubt": ("要確認", "check by eye"),
    "printed_doubt": ("OCRの読み取りに疑い", "OCR doubted this reading"),
    "match_image": ("ICは画像のみ（目視）", "chip holds an image: by eye"),
    "chip_front_image": ("（ICの券面画像から読み取り）", "(read from the chip's front image)"),
    "chip_image_only": ("（ICチップには画像で記録）", "(an image on the chip)"),
    "f_name": ("氏名", "Name"),
    "f_name_kana": ("フリガナ", "Kana"),
    "f_address": ("住所", "Address"),
    "f_birth_date": ("生年月日", "Date of birth"),
    "f_sex": ("性別", "Sex"),
    "f_card_expiry": ("有効期限", "Expiry"),
    "sex_male": ("男", "male"),
    "sex_female": ("女", "female"),
    "sex_not_applicable": ("適用不能", "not applicable"),
    "sex_unknown": ("不明", "unknown"),
    "chip_images": ("ICチップの券面画像", "Card-face images from the chip"),
    "checks_title": ("検証項目", "Checks"),
    "covers": ("対象", "Covers"),
    "covers_summary": ("検証の対象と対象外", "What this covered"),
    "informational": ("参考", "informational"),
    "checked_at": ("確認日時", "Checked at"),
    "summary": ("検証{n}件：{parts}", "{n} checks: {parts}"),
    "summary_part": ("{label}{count}", "{count} {label}"),
    "no_printed_hint": (
        "券面の値は、券面を撮影して読み取ったときに並べて表示します。",
        "Printed values appear here when the card face was photographed and read.",
    ),
    "img_name": ("氏名（画像）", "Name (image)"),
    "img_address": ("住所（画像）", "Address (image)"),
    "not_covered": ("対象外", "Not covered"),
    "required": ("必須", "required"),
    "st_passed": ("合格", "Passed"),
    "st_failed": ("不合格", "FAILED"),
    "st_warning": ("注意", "Warning"),
    "st_not_verifiable": ("検証不能", "Not verifiable"),
    "st_skipped": ("未実施", "Skipped"),
    "details": ("その他の読み取り項目", "Other fields read"),
    "stats": ("通信", "Communication"),
    "stats_line": ("{apdus}回の通信、{seconds}秒", "{apdus} exchanges, {seconds} s"),
    "no_result": ("結果はありません。", "There is no result."),
    # residence card / special permanent resident certificate (taimen.web.residence_view)
    "rc_title": ("在留カード等の確認事項", "Residence card: what to check"),
    "rc_kind_card": ("在留カード", "Residence card"),
    "rc_kind_sprc": ("特別永住者証明書", "Special permanent resident certificate"),
    "rc_generation": ("第{n}世代", "generation {n}"),
    "rc_status": ("在留資格", "Status of residence"),
    "rc_period": ("在留期間（満了日）", "Period of stay (ends)"),
    "rc_ends": ("{date}まで", "until {date}"),
    "rc_period_expired": (
        "在留期間の満了日を過ぎています。在留期間更新等の申請中かどうかを確認してください。",
        "The period of stay has ended. Ask whether an extension or change is pending.",
    ),
    "rc_expired_badge": ("満了日経過", "PERIOD ENDED"),
    "rc_indefinite": ("無期限", "indefinite"),
    "rc_years": ("{n}年", "{n} years"),
    "rc_months": ("{n}月", "{n} months"),
    "rc_days": ("{n}日", "{n} days"),
    "rc_code": ("コード {code}（意味は券面で確認）", "code {code} (see the card face for its meaning)"),
    "rc_work": ("就労制限の有無", "Work restriction"),
    "rc_work_free": ("就労制限なし", "No work restriction"),
    "rc_work_limited": ("就労制限あり", "Work restricted"),
    "rc_work_none": ("就労不可", "Work not permitted"),
    "rc_work_unknown": ("ICチップに記録なし", "Not recorded on the chip"),
    "rc_outside": ("資格外活動許可", "Permission for activity outside status"),
    "rc_individual_yes": ("個別許可あり", "individual permission granted"),
    "rc_individual_no": ("個別許可なし", "no individual permission"),
    "rc_until": ("（{date}まで）", " (until {date})"),
    "rc_renewal": ("在留期間更新等許可申請", "Application for extension or change"),
    "rc_renewal_pending": ("申請中", "pending"),
    "rc_renewal_none": ("なし", "none"),
    "rc_renewal_note": (
        "申請中の記載は処分後も残ることがあります。失効情報照会で確かめてください。",
        "The pending mark may remain after a decision: check with the revocation lookup.",
    ),
    "rc_nationality": ("国籍・地域", "Nationality/region"),
    "rc_card_expiry": ("カードの有効期間満了日", "Card valid until"),
    "rc_card_expired": ("このカードは有効期間を過ぎています。", "This card is past its validity."),
    "rc_permission": ("許可の種類・年月日", "Permission (type, date)"),
    "rc_not_recorded": ("記録なし", "none recorded"),
    "rc_see_front": (
        "第1世代のICチップは券面を画像でのみ記録しています。下に表示したICチップの券面画像で確認してください。",
        "A 1st-generation chip keeps the card face as an image only: read it on the chip's front image below.",
    ),
    "rc_address": ("住居地（最新の記載が先頭）", "Address (latest entry first)"),
    "rc_address_latest": ("最新", "latest"),
    "rc_address_image": ("ICチップの住居地（画像）", "Address on the chip (image)"),
    "rc_address_none": ("ICチップに住居地の記載がありません。", "No address entry on the chip."),
    "rc_front_image": ("ICチップの券面画像", "Card face on the chip"),
    "rc_name_image": ("ICチップの氏名（画像）", "Name on the chip (image)"),
    "rc_front_hint": (
        "ICチップの券面画像と、撮影した券面・目の前のカードを見比べてください。",
        "Compare the chip's card-face image with the captured face and the card in front of you.",
    ),
    "rc_number": ("在留カード等番号", "Card number"),
    "rc_lookup_title": ("失効情報照会（出入国在留管理庁）", "Revocation lookup (Immigration Services Agency)"),
    "rc_lookup_lead": (
        "ボタンを押すと、出入国在留管理庁の照会ページを新しいタブで開きます。taimen からは何も送信しません。"
        "下の番号と有効期間満了日を照会ページに入力してください。",
        "The button opens the Immigration Services Agency's lookup page in a new tab. taimen sends nothing: "
        "type the number and the card's expiry below into that page.",
    ),
    "rc_lookup_open": ("失効情報照会を開く", "Open the revocation lookup"),
    "rc_lookup_expiry": ("有効期間満了日", "Card valid until"),
    "rc_lookup_expiry_printed": ("（券面から読み取った値：券面で確認）", " (read from the card face: check it)"),
    "rc_lookup_expiry_missing": (
        "券面の「このカードは…まで有効です」の日付を入力してください。",
        "Type the date printed as 'valid until' on the card face.",
    ),
    "rc_number_printed": (
        "第1世代のICチップは番号を記録していません（番号は鍵としてだけ使われ、taimen は保持しません）。"
        "券面右上の番号を入力してください。",
        "A 1st-generation chip does not hold the number as data (taimen keeps the typed key for no longer than "
        "the read): type the number printed at the top right of the card.",
    ),
    "rc_copy": ("コピー", "Copy"),
    "rc_copied": ("コピーしました", "Copied"),
    "rc_lookup_note": (
        "照会で「有効」でも偽造カードの可能性は残ります（番号だけを流用した偽造）。ICチップの判定と合わせて確認してください。",
        "A 'valid' answer does not rule out a forged card that copies a valid number: use it with the chip's verdict.",
    ),
    "rc_tries_none": (
        "このカードには、公開された残り回数の仕組みがありません。番号を間違えると読み取りは中止し、"
        "自動で再試行はしません。",
        "No tries counter is known for this card. A wrong number stops the read; taimen never retries by itself.",
    ),
    "rc_tries_none_state": ("残り回数の仕組みなし（公開情報なし）", "no tries counter known"),
    "rc_number_rejected": (
        "入力した番号はこのカードの番号と一致しません。券面右上に印字された番号を確かめてください。"
        "このカードには公開された残り回数の仕組みがないため、自動で再試行はしません。",
        "The number does not match this card. Check the number printed at the top right of the card. No tries "
        "counter is known for this card; taimen does not retry by itself.",
    ),
    # demo panel
    "demo_title": ("デモ用カード（仮想リーダー）", "Demo cards (virtual reader)"),
    "demo_lead": (
        "見本の人物のカードを仮想リーダーに置きます。すべて架空の人物です。",
        "Places a sample person's card on the virtual reader. All persons are fictitious.",
    ),
    "demo_card": ("カード", "Card"),
    "demo_place_genuine": ("真正のカードを置く", "Place a genuine card"),
    "demo_place_expired": ("期限切れのカードを置く", "Place an expired card"),
    "demo_place_forged": ("偽造カードを置く", "Place a forged card"),
    "demo_printed": ("このカードの券面", "Printed on this card"),
    "variant_genuine": ("真正", "genuine"),
    "variant_expired": ("期限切れ", "expired"),
    "variant_forged": ("偽造", "forged"),
    "demo_place": ("カードを置く", "Place card"),
    "demo_remove": ("カードを離す", "Remove card"),
    "demo_put_back": ("カードを戻す", "Put card back"),
    "demo_pull": ("次の読み取りの途中でカードを離す", "Pull the card during the next read"),
    "demo_no_samples": (
        "見本カードがまだ組み込まれていません。",
        "No sample cards are available in this build.",
    ),
    # operators: sign-in and sign-out
    "signin_title": ("担当者の確認", "Who is at the counter"),
    "signin_lead_identify": (
        "本人確認を始める前に、担当者の氏名と担当者IDを入力してください。確認記録に記録されます。",
        "Before checking customers, enter your name and operator ID. They go into the records you save.",
    ),
    "signin_lead_password": (
        "担当者IDとパスワードでサインインしてください。",
        "Sign in with your operator ID and password.",
    ),
    "operator_name": ("担当者氏名", "Operator name"),
    "operator_id": ("担当者ID", "Operator ID"),
    "password": ("パスワード", "Password"),
    "signin": ("サインイン", "Sign in"),
    "signin_start": ("開始", "Start"),
    "signout": ("サインアウト", "Sign out"),
    "signin_failed": (
        "担当者IDまたはパスワードが違います。もう一度入力してください。",
        "Wrong operator ID or password. Try again.",
    ),
    "signin_missing": ("担当者氏名と担当者IDを入力してください。", "Enter your name and operator ID."),
    "signin_unavailable": (
        "記録の保存先に接続できないため、サインインできません。管理者に連絡してください。",
        "The record store cannot be reached, so sign-in is not possible. Call the administrator.",
    ),
    "signin_demo": (
        "デモ用の担当者：{accounts}（パスワードはいずれも {password}）",
        "Demo operators: {accounts} (password for each: {password})",
    ),
    "signed_in_as": ("担当者", "Operator"),
    "role_operator": ("窓口担当者", "counter operator"),
    "role_supervisor": ("管理責任者", "supervisor"),
    "role_auditor": ("監査担当者", "auditor"),
    "forbidden_role": (
        "この画面を開く権限がありません。管理責任者または監査担当者としてサインインしてください。",
        "You are not allowed to open this screen. Sign in as a supervisor or auditor.",
    ),
    "forbidden_export": (
        "確認記録を書き出す権限がありません（管理責任者のみ）。",
        "You are not allowed to export records (supervisors only).",
    ),
    "need_operator": ("担当者の確認が必要です。", "Sign in first."),
    "counter_screen": ("本人確認", "Identity check"),
    # records: save
    "record_title": ("確認記録", "Verification record"),
    "record_save": ("確認記録を保存", "Save the verification record"),
    "record_save_lead": (
        "ICチップから読み取った本人特定事項と判定を記録します。取引の内容を入力・確認してから保存してください。"
        "保存しないで「終了」を押すと、何も残りません。",
        "Records the identity data read from the chip and the verdict. Fill in or check the transaction, then save. "
        "Pressing Finish without saving keeps nothing.",
    ),
    "record_from_chip": ("ICチップから（変更できません）", "From the chip (cannot be changed)"),
    "record_document": ("本人確認書類", "Identity document"),
    "record_doc_number": ("書類の記号番号", "Document number"),
    "record_doc_number_none": (
        "記録しない（個人番号は記録しません）",
        "not recorded (the My Number is never recorded)",
    ),
    "record_method": ("確認の方法", "Method"),
    "record_method_ic": ("ICチップ読取り（対面）", "IC chip read (face to face)"),
    "record_presented_at": ("書類の提示を受けた日時", "Document presented at"),
    "record_verdict": ("判定", "Verdict"),
    "record_signatures": ("署名検証", "Signatures"),
    "record_presence": ("カードの実在確認", "Card presence"),
    "presence_proven": ("確認済み", "proven"),
    "presence_not_proven": ("未確認", "not proven"),
    "presence_unsupported": ("この書類は対応していません", "not supported by this document"),
    "transaction_presets": (
        "預貯金口座の開設|携帯電話の契約|融資の申込み|200万円を超える現金の取引|10万円を超える現金の送金|貸金庫の契約",
        "Opening a bank account|Mobile phone contract|Loan application|Cash transaction over ¥2,000,000|"
        "Cash remittance over ¥100,000|Safe-deposit box",
    ),
    "record_transaction": ("取引の内容（担当者が入力）", "Transaction (entered by the operator)"),
    "f_transaction_type": ("取引の種類", "Type of transaction"),
    "f_purpose": ("取引を行う目的", "Purpose of the transaction"),
    "f_occupation": ("職業", "Occupation"),
    "f_reference": ("顧客番号・取引番号", "Customer or transaction reference"),
    "f_note": ("備考", "Note"),
    "f_operator": ("確認を行った担当者", "Checked by"),
    "f_counter": ("窓口", "Counter"),
    "record_images_kept": (
        "事業者の方針により、ICチップの顔写真と券面画像も暗号化して保存します。",
        "Under this business's policy the chip's photo and card-face images are stored too (encrypted).",
    ),
    "record_images_not_kept": (
        "事業者の方針により、画像は保存しません（文字の情報のみ）。",
        "Under this business's policy no images are stored (text only).",
    ),
    "record_never_stored": (
        "個人番号・暗証番号・照合番号・セキュリティコードは保存しません。",
        "The My Number, PINs, 照合番号 and security codes are never stored.",
    ),
    "record_save_button": ("この内容で保存", "Save this record"),
    "record_saved": ("確認記録を保存しました。", "The verification record was saved."),
    "record_id": ("記録番号", "Record number"),
    "record_saved_pending": (
        "記録の保存先に接続できないため、この端末に暗号化して一時保存しました。接続が戻ると自動で送信されます。",
        "The record store cannot be reached: the record is kept on this computer, encrypted, and sent when the "
        "store is back.",
    ),
    "record_saved_next": (
        "お客様への対応が終わったら「終了」を押してください。",
        "When you are done with this customer, press Finish.",
    ),
    "record_correct_button": ("訂正を保存", "Save a correction"),
    "record_corrected": ("訂正を保存しました（第{version}版）。", "The correction was saved (version {version})."),
    "record_unsaved_warning": (
        "確認記録はまだ保存されていません。保存しないで終了しますか？",
        "The verification record has not been saved. Finish without saving?",
    ),
    "record_no_result": (
        "保存する確認結果がありません。カードを読み取ってから保存してください。",
        "There is no result to save. Read a card first.",
    ),
    "record_not_configured": (
        "確認記録の保存先が設定されていません（taimen serve --records）。",
        "No record store is configured (taimen serve --records).",
    ),
    "record_save_failed": ("確認記録を保存できませんでした", "The verification record could not be saved"),
    "record_err_disk_full": (
        "記録の保存先のディスクがいっぱいです。",
        "The disk that holds the records is full.",
    ),
    "record_err_read_only": (
        "記録の保存先が書き込みできない状態です（読み取り専用）。",
        "The record store cannot be written to (read-only).",
    ),
    "record_err_unreachable": (
        "記録の保存先に接続できません。",
        "The record store cannot be reached.",
    ),
    "record_err_forbidden": (
        "この担当者には確認記録を保存する権限がありません。",
        "This operator is not allowed to save records.",
    ),
    "record_err_other": ("記録の保存中にエラーが起きました。", "An error occurred while saving the record."),
    "record_err_todo": (
        "お客様にはお待ちいただき、「終了」は押さないでください（押すと読み取った情報が消えます）。"
        "管理者に連絡して保存先を直してもらい、もう一度「この内容で保存」を押してください。"
        "すぐに直らない場合は、紙の確認記録に書き写してください。",
        "Ask the customer to wait and do not press Finish (it erases what was read). Call the administrator to fix "
        "the store, then press “Save this record” again. If it cannot be fixed soon, copy the record on paper.",
    ),
    "record_input_too_long": ("{field}が長すぎます（{n}文字まで）。", "{field} is too long (at most {n} characters)."),
    # records: list, detail, export
    "records_list": ("記録一覧", "Records"),
    "records_search": ("検索", "Search"),
    "records_clear": ("条件をクリア", "Clear"),
    "q_name": ("氏名", "Name"),
    "q_kana": ("フリガナ", "Kana"),
    "q_from": ("確認日（から）", "Checked from"),
    "q_to": ("確認日（まで）", "Checked until"),
    "q_document": ("書類", "Document"),
    "q_operator": ("担当者ID", "Operator ID"),
    "q_verdict": ("判定", "Verdict"),
    "q_any": ("すべて", "any"),
    "records_count": ("{n}件", "{n} records"),
    "records_none": ("条件に合う確認記録はありません。", "No records match."),
    "records_page": ("{page}ページ目", "page {page}"),
    "records_prev": ("← 前へ", "← Previous"),
    "records_next": ("次へ →", "Next →"),
    "col_checked_at": ("確認日時", "Checked at"),
    "col_record_id": ("記録番号", "Record"),
    "col_select": ("選択", "Select"),
    "select_all": ("このページの記録をすべて選択", "Select every record on this page"),
    "select_record": ("記録{id}を選択", "Select record {id}"),
    "export_selected_csv": ("選択した記録をCSVで書き出す", "Export selected as CSV"),
    "export_selected_pdf": ("選択した記録をPDFで書き出す", "Export selected as PDF"),
    "export_all_csv": ("検索結果をすべてCSVで書き出す", "Export all results as CSV"),
    "export_csv": ("CSVで書き出す", "Export as CSV"),
    "export_pdf": ("PDFで書き出す（印刷用）", "Export as PDF (for printing)"),
    "export_none": ("書き出す記録を選んでください。", "Choose the records to export."),
    "export_logged": (
        "書き出しは記録されます（誰が・いつ・どの記録を）。",
        "Exports are logged (who, when, which records).",
    ),
    "record_detail": ("確認記録の詳細", "Record details"),
    "record_back_list": ("← 記録一覧に戻る", "← Back to the records"),
    "record_not_found": ("この確認記録はありません。", "There is no such record."),
    "record_versions": ("版（訂正の履歴）", "Versions (corrections)"),
    "record_version": ("第{n}版", "version {n}"),
    "record_current": ("現在の版", "current"),
    "record_corrects": ("訂正元", "corrects"),
    "record_saved_by": ("記録した担当者", "Recorded by"),
    "record_saved_at": ("記録日時", "Recorded at"),
    "record_access": ("閲覧・書き出しの記録", "Who read or exported it"),
    "access_when": ("日時", "When"),
    "access_who": ("担当者", "Who"),
    "access_what": ("操作", "Action"),
    "access_read": ("閲覧", "read"),
    "access_export": ("書き出し", "export"),
    "access_save": ("保存", "saved"),
    "access_correct": ("訂正", "corrected"),
    "access_search": ("検索", "search"),
    "col_version": ("版", "Version"),
    "correct_title": ("取引の内容を訂正する", "Correct the transaction fields"),
    "correct_lead": (
        "訂正は新しい版として保存され、元の版も残ります。ICチップから読み取った値は訂正できません。",
        "A correction is saved as a new version; the old one stays. Values read from the chip cannot be corrected.",
    ),
    "correct_reason": ("訂正の理由", "Reason for the correction"),
    "correct_save": ("訂正を保存", "Save the correction"),
    "correct_need_reason": ("訂正の理由を入力してください。", "Enter the reason for the correction."),
    "correct_nothing": ("変更された項目がありません。", "Nothing was changed."),
    "correct_failed": ("訂正を保存できませんでした", "The correction could not be saved"),
    "f_contract_end": ("契約終了日", "Contract ended"),
    "col_reason": ("訂正の理由", "Reason for the correction"),
    "access_none": ("まだ記録はありません。", "Nothing yet."),
    "record_reasons": ("判定の理由", "Reasons for the verdict"),
    "record_checks": ("検証の結果", "Checks"),
    "record_images": ("保存された画像", "Stored images"),
    "record_retention": ("保存期限", "Keep until"),
    "records_unavailable": (
        "記録の保存先に接続できません。管理者に連絡してください。",
        "The record store cannot be reached. Call the administrator.",
    ),
    # errors
    "error_title": ("エラー", "Error"),
    "internal_error": (
        "予期しないエラーで読み取りを中止しました。カードを置き直してやり直すか、管理者に連絡してください。",
        "The read stopped on an unexpected error. Put the card back and try again, or call the administrator.",
    ),
    "forbidden": (
        "このページを開くには、taimen を起動したときに表示されたURLを使ってください。",
        "Open the URL that taimen printed when it started.",
    ),
}


def translator(lang: str) -> Callable[..., str]:
    idx = 1 if lang == "en" else 0

    def t(key: str, **values: object) -> str:
        text = STRINGS[key][idx]
        return text.format(**values) if values else text

    return t


def pick(lang: str, ja: str, en: str) -> str:
    return en if lang == "en" else ja
