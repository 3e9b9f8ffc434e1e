/* SPDX-License-Identifier: MIT */
/* The texts of the library's e-mails (verification code, password reset) in the five languages. */
#include "email_internal.h"
#include "vidgo/accounts.h"

/*
 * Placeholders, replaced by compose.c (values inserted into HTML are escaped there):
 *   {code}        the verification code       {token}  the password-reset token
 *   {minutes}     how long the code or token stays valid
 *   {link_block}  reset: the link paragraph below, expanded, or nothing without reset_url
 *   {link}        (link paragraphs only) the reset link
 * The HTML of a message is a fragment that compose.c places into vg__email_html_frame.
 */

const char *const vg__email_kind_names[VG__EMAIL_KIND_COUNT] = {"verify", "reset"};

const int vg__email_valid_minutes[VG__EMAIL_KIND_COUNT] = {VG_CODE_TTL_S / 60,
                                                           VG_RESET_TTL_S / 60};

const char vg__email_html_frame[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"{lang}\">\n"
    "<head>\n"
    "<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>{title}</title>\n"
    "<style>\n"
    ".code { font-family: Menlo, Consolas, monospace; font-size: 32px; font-weight: bold;"
    " letter-spacing: 6px; margin: 16px 0; }\n"
    ".token { font-family: Menlo, Consolas, monospace; font-size: 18px; font-weight: bold;"
    " word-break: break-all; margin: 16px 0; }\n"
    ".button { display: inline-block; padding: 12px 24px; background-color: #4f46e5;"
    " color: #ffffff; text-decoration: none; border-radius: 6px; font-weight: bold; }\n"
    ".link { font-size: 13px; color: #57606a; word-break: break-all; }\n"
    ".note { font-size: 14px; color: #57606a; }\n"
    "</style>\n"
    "</head>\n"
    "<body style=\"margin: 0; padding: 0; background-color: #f4f5f7;\">\n"
    "<div style=\"max-width: 560px; margin: 0 auto; padding: 32px 16px;\">\n"
    "<div style=\"background-color: #ffffff; border-radius: 8px; padding: 32px;"
    " font-family: -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial,"
    " 'Hiragino Sans', 'Microsoft JhengHei', 'Malgun Gothic', sans-serif;"
    " font-size: 16px; line-height: 1.6; color: #1f2328;\">\n"
    "<p style=\"margin: 0 0 24px; font-size: 22px; font-weight: bold; color: #4f46e5;\">"
    "VidGo</p>\n"
    "{body}"
    "</div>\n"
    "</div>\n"
    "</body>\n"
    "</html>\n";

/* [kind][language], languages in vg__lang order: en, ja, zh-TW, ko, es. */
const vg__email_template vg__email_templates[VG__EMAIL_KIND_COUNT][VG__LANG_COUNT] = {
    /* ---- verify: the 6-digit code that confirms an address ---------------------------- */
    {
        {/* en */
         "Your VidGo verification code",
         "Hello,\n"
         "\n"
         "Thank you for using VidGo. Your verification code is:\n"
         "\n"
         "{code}\n"
         "\n"
         "Enter this code to verify your e-mail address. It is valid for {minutes} minutes.\n"
         "\n"
         "If you did not create a VidGo account, you can ignore this e-mail.\n"
         "\n"
         "The VidGo team\n",
         "<p>Hello,</p>\n"
         "<p>Thank you for using VidGo. Your verification code is:</p>\n"
         "<p class=\"code\">{code}</p>\n"
         "<p>Enter this code to verify your e-mail address. It is valid for {minutes}"
         " minutes.</p>\n"
         "<p class=\"note\">If you did not create a VidGo account, you can ignore this"
         " e-mail.</p>\n"
         "<p>The VidGo team</p>\n",
         NULL, NULL},
        {/* ja */
         "【VidGo】メールアドレスの確認コード",
         "VidGo をご利用いただきありがとうございます。\n"
         "\n"
         "メールアドレスの確認コードは次のとおりです。\n"
         "\n"
         "{code}\n"
         "\n"
         "このコードを入力して、メールアドレスの確認を完了してください。"
         "コードの有効期限は {minutes} 分です。\n"
         "\n"
         "このメールにお心当たりがない場合は、破棄していただいて問題ありません。\n"
         "\n"
         "VidGo チーム\n",
         "<p>VidGo をご利用いただきありがとうございます。</p>\n"
         "<p>メールアドレスの確認コードは次のとおりです。</p>\n"
         "<p class=\"code\">{code}</p>\n"
         "<p>このコードを入力して、メールアドレスの確認を完了してください。"
         "コードの有効期限は {minutes} 分です。</p>\n"
         "<p class=\"note\">このメールにお心当たりがない場合は、破棄していただいて"
         "問題ありません。</p>\n"
         "<p>VidGo チーム</p>\n",
         NULL, NULL},
        {/* zh-TW */
         "您的 VidGo 電子郵件驗證碼",
         "您好：\n"
         "\n"
         "感謝您使用 VidGo。您的驗證碼為：\n"
         "\n"
         "{code}\n"
         "\n"
         "請輸入此驗證碼以完成電子郵件地址驗證。驗證碼的有效時間為 {minutes} 分鐘。\n"
         "\n"
         "如果您並未註冊 VidGo 帳號，請忽略此郵件。\n"
         "\n"
         "VidGo 團隊 敬上\n",
         "<p>您好：</p>\n"
         "<p>感謝您使用 VidGo。您的驗證碼為：</p>\n"
         "<p class=\"code\">{code}</p>\n"
         "<p>請輸入此驗證碼以完成電子郵件地址驗證。驗證碼的有效時間為 {minutes} 分鐘。</p>\n"
         "<p class=\"note\">如果您並未註冊 VidGo 帳號，請忽略此郵件。</p>\n"
         "<p>VidGo 團隊 敬上</p>\n",
         NULL, NULL},
        {/* ko */
         "[VidGo] 이메일 인증 코드",
         "안녕하세요.\n"
         "\n"
         "VidGo를 이용해 주셔서 감사합니다. 이메일 인증 코드는 다음과 같습니다.\n"
         "\n"
         "{code}\n"
         "\n"
         "이 코드를 입력하여 이메일 주소 인증을 완료해 주세요. "
         "코드는 {minutes}분 동안 유효합니다.\n"
         "\n"
         "VidGo 계정을 만든 적이 없다면 이 이메일을 무시하셔도 됩니다.\n"
         "\n"
         "VidGo 팀 드림\n",
         "<p>안녕하세요.</p>\n"
         "<p>VidGo를 이용해 주셔서 감사합니다. 이메일 인증 코드는 다음과 같습니다.</p>\n"
         "<p class=\"code\">{code}</p>\n"
         "<p>이 코드를 입력하여 이메일 주소 인증을 완료해 주세요. "
         "코드는 {minutes}분 동안 유효합니다.</p>\n"
         "<p class=\"note\">VidGo 계정을 만든 적이 없다면 이 이메일을 무시하셔도 됩니다.</p>\n"
         "<p>VidGo 팀 드림</p>\n",
         NULL, NULL},
        {/* es */
         "Tu código de verificación de VidGo",
         "Hola:\n"
         "\n"
         "Gracias por usar VidGo. Tu código de verificación es:\n"
         "\n"
         "{code}\n"
         "\n"
         "Introduce este código para verificar tu dirección de correo electrónico. "
         "Es válido durante {minutes} minutos.\n"
         "\n"
         "Si no has creado una cuenta en VidGo, puedes ignorar este mensaje.\n"
         "\n"
         "El equipo de VidGo\n",
         "<p>Hola:</p>\n"
         "<p>Gracias por usar VidGo. Tu código de verificación es:</p>\n"
         "<p class=\"code\">{code}</p>\n"
         "<p>Introduce este código para verificar tu dirección de correo electrónico. "
         "Es válido durante {minutes} minutos.</p>\n"
         "<p class=\"note\">Si no has creado una cuenta en VidGo, puedes ignorar este"
         " mensaje.</p>\n"
         "<p>El equipo de VidGo</p>\n",
         NULL, NULL},
    },
    /* ---- reset: the single-use token (and link) that sets a new password -------------- */
    {
        {/* en */
         "Reset your VidGo password",
         "Hello,\n"
         "\n"
         "We received a request to reset the password of your VidGo account. "
         "To choose a new password, enter this reset code in VidGo:\n"
         "\n"
         "{token}\n"
         "\n"
         "{link_block}"
         "The code is valid for {minutes} minutes and can be used only once.\n"
         "\n"
         "If you did not ask to reset your password, you can ignore this e-mail; "
         "your password will stay the same.\n"
         "\n"
         "The VidGo team\n",
         "<p>Hello,</p>\n"
         "<p>We received a request to reset the password of your VidGo account. "
         "To choose a new password, enter this reset code in VidGo:</p>\n"
         "<p class=\"token\">{token}</p>\n"
         "{link_block}"
         "<p>The code is valid for {minutes} minutes and can be used only once.</p>\n"
         "<p class=\"note\">If you did not ask to reset your password, you can ignore this"
         " e-mail; your password will stay the same.</p>\n"
         "<p>The VidGo team</p>\n",
         "Or open this link:\n"
         "\n"
         "{link}\n"
         "\n",
         "<p>Or open this link:</p>\n"
         "<p><a class=\"button\" href=\"{link}\">Choose a new password</a></p>\n"
         "<p class=\"link\">{link}</p>\n"},
        {/* ja */
         "【VidGo】パスワード再設定のご案内",
         "VidGo をご利用いただきありがとうございます。\n"
         "\n"
         "お客様の VidGo アカウントについて、パスワード再設定のリクエストを受け付けました。"
         "新しいパスワードを設定するには、次の再設定コードを VidGo で入力してください。\n"
         "\n"
         "{token}\n"
         "\n"
         "{link_block}"
         "このコードの有効期限は {minutes} 分で、一度のみ使用できます。\n"
         "\n"
         "パスワードの再設定をリクエストしていない場合は、このメールを破棄してください。"
         "パスワードは変更されません。\n"
         "\n"
         "VidGo チーム\n",
         "<p>VidGo をご利用いただきありがとうございます。</p>\n"
         "<p>お客様の VidGo アカウントについて、パスワード再設定のリクエストを受け付けました。"
         "新しいパスワードを設定するには、次の再設定コードを VidGo で入力してください。</p>\n"
         "<p class=\"token\">{token}</p>\n"
         "{link_block}"
         "<p>このコードの有効期限は {minutes} 分で、一度のみ使用できます。</p>\n"
         "<p class=\"note\">パスワードの再設定をリクエストしていない場合は、このメールを"
         "破棄してください。パスワードは変更されません。</p>\n"
         "<p>VidGo チーム</p>\n",
         "または、次のリンクを開いて設定することもできます。\n"
         "\n"
         "{link}\n"
         "\n",
         "<p>または、次のリンクを開いて設定することもできます。</p>\n"
         "<p><a class=\"button\" href=\"{link}\">パスワードを再設定する</a></p>\n"
         "<p class=\"link\">{link}</p>\n"},
        {/* zh-TW */
         "重設您的 VidGo 密碼",
         "您好：\n"
         "\n"
         "我們收到了重設您 VidGo 帳號密碼的要求。如要設定新密碼，請在 VidGo 中輸入以下重設碼：\n"
         "\n"
         "{token}\n"
         "\n"
         "{link_block}"
         "此重設碼的有效時間為 {minutes} 分鐘，且僅能使用一次。\n"
         "\n"
         "如果您並未要求重設密碼，請忽略此郵件，您的密碼將維持不變。\n"
         "\n"
         "VidGo 團隊 敬上\n",
         "<p>您好：</p>\n"
         "<p>我們收到了重設您 VidGo 帳號密碼的要求。如要設定新密碼，請在 VidGo 中輸入以下"
         "重設碼：</p>\n"
         "<p class=\"token\">{token}</p>\n"
         "{link_block}"
         "<p>此重設碼的有效時間為 {minutes} 分鐘，且僅能使用一次。</p>\n"
         "<p class=\"note\">如果您並未要求重設密碼，請忽略此郵件，您的密碼將維持不變。</p>\n"
         "<p>VidGo 團隊 敬上</p>\n",
         "您也可以直接開啟以下連結：\n"
         "\n"
         "{link}\n"
         "\n",
         "<p>您也可以直接開啟以下連結：</p>\n"
         "<p><a class=\"button\" href=\"{link}\">設定新密碼</a></p>\n"
         "<p class=\"link\">{link}</p>\n"},
        {/* ko */
         "[VidGo] 비밀번호 재설정 안내",
         "안녕하세요.\n"
         "\n"
         "VidGo 계정의 비밀번호 재설정 요청을 받았습니다. "
         "새 비밀번호를 설정하려면 VidGo에서 아래 재설정 코드를 입력해 주세요.\n"
         "\n"
         "{token}\n"
         "\n"
         "{link_block}"
         "이 코드는 {minutes}분 동안 유효하며 한 번만 사용할 수 있습니다.\n"
         "\n"
         "비밀번호 재설정을 요청하지 않으셨다면 이 이메일을 무시하셔도 됩니다. "
         "비밀번호는 변경되지 않습니다.\n"
         "\n"
         "VidGo 팀 드림\n",
         "<p>안녕하세요.</p>\n"
         "<p>VidGo 계정의 비밀번호 재설정 요청을 받았습니다. "
         "새 비밀번호를 설정하려면 VidGo에서 아래 재설정 코드를 입력해 주세요.</p>\n"
         "<p class=\"token\">{token}</p>\n"
         "{link_block}"
         "<p>이 코드는 {minutes}분 동안 유효하며 한 번만 사용할 수 있습니다.</p>\n"
         "<p class=\"note\">비밀번호 재설정을 요청하지 않으셨다면 이 이메일을 무시하셔도"
         " 됩니다. 비밀번호는 변경되지 않습니다.</p>\n"
         "<p>VidGo 팀 드림</p>\n",
         "또는 다음 링크를 열어 새 비밀번호를 설정할 수도 있습니다.\n"
         "\n"
         "{link}\n"
         "\n",
         "<p>또는 다음 링크를 열어 새 비밀번호를 설정할 수도 있습니다.</p>\n"
         "<p><a class=\"button\" href=\"{link}\">새 비밀번호 설정</a></p>\n"
         "<p class=\"link\">{link}</p>\n"},
        {/* es */
         "Restablece tu contraseña de VidGo",
         "Hola:\n"
         "\n"
         "Hemos recibido una solicitud para restablecer la contraseña de tu cuenta de VidGo. "
         "Para elegir una nueva contraseña, introduce este código en VidGo:\n"
         "\n"
         "{token}\n"
         "\n"
         "{link_block}"
         "El código es válido durante {minutes} minutos y solo se puede usar una vez.\n"
         "\n"
         "Si no has solicitado restablecer tu contraseña, puedes ignorar este mensaje; "
         "tu contraseña no cambiará.\n"
         "\n"
         "El equipo de VidGo\n",
         "<p>Hola:</p>\n"
         "<p>Hemos recibido una solicitud para restablecer la contraseña de tu cuenta de "
         "VidGo. Para elegir una nueva contraseña, introduce este código en VidGo:</p>\n"
         "<p class=\"token\">{token}</p>\n"
         "{link_block}"
         "<p>El código es válido durante {minutes} minutos y solo se puede usar una vez.</p>\n"
         "<p class=\"note\">Si no has solicitado restablecer tu contraseña, puedes ignorar"
         " este mensaje; tu contraseña no cambiará.</p>\n"
         "<p>El equipo de VidGo</p>\n",
         "O abre este enlace:\n"
         "\n"
         "{link}\n"
         "\n",
         "<p>O abre este enlace:</p>\n"
         "<p><a class=\"button\" href=\"{link}\">Elegir una nueva contraseña</a></p>\n"
         "<p class=\"link\">{link}</p>\n"},
    },
};
