/* SPDX-License-Identifier: MIT */
/* Language tags: the five languages every user-facing text exists in. */
#include <strings.h>

#include "i18n.h"
#include "vidgo/config.h"

const char *const vg__lang_tags[VG__LANG_COUNT] = {"en", "ja", "zh-TW", "ko", "es"};

/* Chinese is served in Traditional characters only: zh-TW, zh-HK, zh-MO and zh-Hant*. */
static const char *const zh_traditional[] = {"zh", "zh-TW", "zh-HK", "zh-MO", "zh-Hant"};

static int same_tag_prefix(const char *tag, const char *prefix)
{
    size_t i;
    for (i = 0; prefix[i]; i++) {
        char a = tag[i] == '_' ? '-' : tag[i];
        if (a == '\0' || (a | 0x20) != (prefix[i] | 0x20))
            return 0;
    }
    return tag[i] == '\0' || tag[i] == '-' || tag[i] == '_';
}

int vg__lang_parse(const char *tag)
{
    size_t i;
    if (!tag)
        return -1;
    if (same_tag_prefix(tag, "zh")) {
        for (i = 1; i < sizeof zh_traditional / sizeof zh_traditional[0]; i++)
            if (same_tag_prefix(tag, zh_traditional[i]))
                return VG__LANG_ZH_TW;
        return strcasecmp(tag, "zh") == 0 ? VG__LANG_ZH_TW : -1;
    }
    for (i = 0; i < VG__LANG_COUNT; i++)
        if (i != VG__LANG_ZH_TW && same_tag_prefix(tag, vg__lang_tags[i]))
            return (int)i;
    return -1;
}

const char *vg_lang_tag(size_t index)
{
    return index < VG__LANG_COUNT ? vg__lang_tags[index] : NULL;
}

int vg_lang_index(const char *tag)
{
    return vg__lang_parse(tag);
}
