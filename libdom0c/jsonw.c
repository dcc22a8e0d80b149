/*
 * jsonw.c - the few yajl writers every JSON output of libdom0c uses.
 */
#include <string.h>

#include "jsonw.h"

void d0_json_str(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

void d0_json_key_str(yajl_gen g, const char *k, const char *v)
{
    d0_json_str(g, k);
    d0_json_str(g, v);
}

void d0_json_key_int(yajl_gen g, const char *k, long long v)
{
    d0_json_str(g, k);
    yajl_gen_integer(g, v);
}
