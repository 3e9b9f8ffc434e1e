/* SPDX-License-Identifier: MIT */
/* The text services of a context — moderation, prompt enhancement, the embedder — served
 * by Gemini when it serves the context, else by the local provider; and the user-facing
 * messages of the moderation reasons in five languages. */
#include <string.h>

#include "../i18n/i18n.h"
#include "gemini.h"
#include "provider.h"

/* Why a prompt was refused, as the user reads it; in vg_lang_tag() order. */
static const struct {
    const char *reason;
    const char *message[VG_LANG_COUNT];
} reason_messages[] = {
    {"adult",
     {"This request contains adult content, which VidGo cannot create.",
      "このリクエストには成人向けの内容が含まれているため、VidGo では作成できません。",
      "此請求包含成人內容，VidGo 無法製作。",
      "이 요청에는 성인 콘텐츠가 포함되어 있어 VidGo에서 만들 수 없습니다.",
      "Esta solicitud contiene contenido para adultos, que VidGo no puede crear."}},
    {"violence",
     {"This request describes violence, which VidGo cannot create.",
      "このリクエストには暴力的な内容が含まれているため、VidGo では作成できません。",
      "此請求描述暴力內容，VidGo 無法製作。",
      "이 요청에는 폭력적인 내용이 포함되어 있어 VidGo에서 만들 수 없습니다.",
      "Esta solicitud describe violencia, que VidGo no puede crear."}},
    {"illegal_goods",
     {"This request shows weapons, drugs or other illegal goods, which VidGo cannot advertise.",
      "このリクエストには武器・薬物などの違法な商品が含まれているため、VidGo では広告を作成できません。",
      "此請求涉及武器、毒品或其他違法商品，VidGo 無法為其製作廣告。",
      "이 요청에는 무기, 마약 등 불법 상품이 포함되어 있어 VidGo에서 광고를 만들 수 없습니다.",
      "Esta solicitud muestra armas, drogas u otros productos ilegales, que VidGo no puede "
      "anunciar."}},
    {"hate",
     {"This request contains hateful or harassing content, which VidGo cannot create.",
      "このリクエストにはヘイトや嫌がらせの内容が含まれているため、VidGo では作成できません。",
      "此請求包含仇恨或騷擾內容，VidGo 無法製作。",
      "이 요청에는 혐오 또는 괴롭힘 내용이 포함되어 있어 VidGo에서 만들 수 없습니다.",
      "Esta solicitud contiene contenido de odio o acoso, que VidGo no puede crear."}},
    {"self_harm",
     {"This request refers to self-harm, which VidGo cannot create. If you are struggling, "
      "please reach out to someone you trust or a local helpline.",
      "このリクエストは自傷行為に関する内容のため、VidGo では作成できません。つらいときは、"
      "信頼できる人や相談窓口に連絡してください。",
      "此請求涉及自我傷害，VidGo 無法製作。如果你正感到困擾，請聯絡信任的人或當地的求助專線。",
      "이 요청은 자해와 관련되어 있어 VidGo에서 만들 수 없습니다. 힘들다면 믿을 수 있는 "
      "사람이나 상담 전화에 연락해 주세요.",
      "Esta solicitud hace referencia a autolesiones, que VidGo no puede crear. Si lo estás "
      "pasando mal, contacta con alguien de confianza o con una línea de ayuda local."}},
    {"minors",
     {"This request could endanger or sexualise minors, which VidGo never creates.",
      "このリクエストは未成年者を危険にさらす、または性的に扱うおそれがあるため、VidGo では作成しません。",
      "此請求可能危害未成年人或將其性化，VidGo 絕不製作。",
      "이 요청은 미성년자를 위험에 빠뜨리거나 성적으로 다룰 수 있어 VidGo에서 절대 만들지 않습니다.",
      "Esta solicitud podría poner en peligro o sexualizar a menores, algo que VidGo nunca crea."}},
    {"other",
     {"This request does not meet VidGo's content guidelines for advertising.",
      "このリクエストは VidGo の広告コンテンツガイドラインに適合しません。",
      "此請求不符合 VidGo 的廣告內容準則。",
      "이 요청은 VidGo의 광고 콘텐츠 가이드라인에 맞지 않습니다.",
      "Esta solicitud no cumple las normas de contenido publicitario de VidGo."}},
};

/* The context's language, or that of tag when it names one of the five. */
static int pick_lang(const vg_ctx *ctx, const char *tag)
{
    int lang = tag ? vg__lang_parse(tag) : -1;
    return lang >= 0 ? lang : ctx ? ctx->lang : VG__LANG_EN;
}

const char *vg_moderation_message(vg_ctx *ctx, const char *reason, const char *lang)
{
    size_t i;
    if (!reason)
        return NULL;
    for (i = 0; i < sizeof reason_messages / sizeof reason_messages[0]; i++)
        if (strcmp(reason_messages[i].reason, reason) == 0)
            return reason_messages[i].message[pick_lang(ctx, lang)];
    return NULL;
}

/* Which provider serves the text services: Gemini when it may, else local. REMOTE mode
 * without a Gemini key is VG_ENO_API_KEY. */
static int text_provider(vg_ctx *ctx, int *id)
{
    vg__provider_conf conf;
    int rc = VG_OK;

    *id = VG_PROVIDER_LOCAL;
    if (ctx->provider_mode == VG_PROVIDERS_REMOTE) {
        rc = vg__provider_conf_open(&conf, ctx, VG_PROVIDER_GEMINI, 1);
        vg__provider_conf_close(ctx, &conf);
        if (rc == VG_OK)
            *id = VG_PROVIDER_GEMINI;
    } else if (vg__provider_serves(ctx, VG_PROVIDER_GEMINI)) {
        *id = VG_PROVIDER_GEMINI;
    }
    return rc;
}

static int check_prompt(vg_ctx *ctx, const char *prompt)
{
    const char *p;
    if (!vg__utf8_valid(prompt))
        return vg__fail(ctx, VG_EUTF8, "the prompt is not valid UTF-8");
    for (p = prompt; *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'; p++)
        ;
    if (!*p)
        return vg__fail(ctx, VG_EPROMPT_EMPTY, "the prompt is empty");
    if (strlen(prompt) > VG_PROMPT_MAX_BYTES)
        return vg__fail(ctx, VG_EPROMPT_TOO_LONG, "the prompt is over %d bytes",
                        VG_PROMPT_MAX_BYTES);
    return VG_OK;
}

int vg_moderate(vg_moderation *out, vg_ctx *ctx, const char *prompt,
                const unsigned char *image, size_t image_len, const char *image_mime,
                const char *lang)
{
    const char *message;
    int id, rc;

    if (!out || !ctx || !prompt)
        return vg__fail(ctx, VG_EINVAL, "vg_moderate: out, ctx or prompt is NULL");
    if (out->version != VG_MODERATION_VERSION)
        return vg__fail(ctx, VG_EVERSION, "moderation version %u is not %u", out->version,
                        VG_MODERATION_VERSION);
    if ((rc = check_prompt(ctx, prompt)) != VG_OK || (rc = text_provider(ctx, &id)) != VG_OK)
        return rc;
    memset(out, 0, sizeof *out);
    out->version = VG_MODERATION_VERSION;
    vg__copy(out->provider, sizeof out->provider, vg_provider_name(id));
    if (id == VG_PROVIDER_GEMINI)
        rc = vg__gemini_moderate(out, ctx, prompt, image, image_len, image_mime);
    else
        rc = vg__local_moderate(out, ctx, prompt);
    if (rc == VG_OK && out->blocked) {
        message = vg_moderation_message(ctx, out->reason, lang);
        if (!message)
            message = vg_moderation_message(ctx, "other", lang);
        vg__copy(out->message, sizeof out->message, message);
    }
    return rc;
}

int vg_prompt_enhance(char *out, size_t size, const char **provider_out, vg_ctx *ctx,
                      const char *prompt, const char *lang)
{
    int id, rc;

    if (provider_out)
        *provider_out = NULL;
    if (!out || size == 0 || !ctx || !prompt)
        return vg__fail(ctx, VG_EINVAL, "vg_prompt_enhance: out, size, ctx or prompt missing");
    out[0] = '\0';
    if ((rc = check_prompt(ctx, prompt)) != VG_OK || (rc = text_provider(ctx, &id)) != VG_OK)
        return rc;
    if (id == VG_PROVIDER_GEMINI)
        rc = vg__gemini_enhance(out, size, ctx, prompt, lang);
    else
        rc = vg__local_enhance(out, size, ctx, prompt, lang);
    if (rc == VG_OK && provider_out)
        *provider_out = vg_provider_name(id);
    return rc;
}

/* ---- the context's embedder ------------------------------------------------------------ */

/* The local embedder on the heap, so that vg_embedder_default always returns something to
 * free: the public struct first, the real one inside. */
typedef struct local_embedder {
    vg_embedder embedder;
    vg_embedder inner;
    vg_ctx *ctx;
} local_embedder;

static int local_embed(float *out, const char *const *prompts, size_t count, char *errbuf,
                       size_t errbuf_size, void *payload)
{
    const local_embedder *e = payload;
    return e->inner.embed(out, prompts, count, errbuf, errbuf_size, e->inner.payload);
}

int vg_embedder_default(vg_embedder **out, vg_ctx *ctx)
{
    local_embedder *e;
    int id, rc;

    if (!out || !ctx)
        return vg__fail(ctx, VG_EINVAL, "vg_embedder_default: out or ctx is NULL");
    *out = NULL;
    if ((rc = text_provider(ctx, &id)) != VG_OK)
        return rc;
    if (id == VG_PROVIDER_GEMINI)
        return vg_embedder_gemini(out, ctx, NULL, NULL, 0);
    if (!(e = vg__calloc(ctx, 1, sizeof *e)))
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    if ((rc = vg_embedder_local(&e->inner, 0)) != VG_OK) {
        vg__free(ctx, e);
        return rc;
    }
    e->ctx = ctx;
    e->embedder = e->inner;
    e->embedder.embed = local_embed;
    e->embedder.payload = e;
    *out = &e->embedder;
    return VG_OK;
}

void vg_embedder_free(vg_embedder *embedder)
{
    if (embedder && embedder->embed == local_embed) {
        local_embedder *e = embedder->payload;
        vg__free(e->ctx, e);
        return;
    }
    vg__gemini_embedder_free(embedder);
}
