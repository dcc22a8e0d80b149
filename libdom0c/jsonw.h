/*
 * jsonw.h - the few yajl writers every JSON output of libdom0c uses.
 */
#ifndef D0_JSONW_H
#define D0_JSONW_H

#include <yajl/yajl_gen.h>

void d0_json_str(yajl_gen g, const char *s);
void d0_json_key_str(yajl_gen g, const char *k, const char *v);
void d0_json_key_int(yajl_gen g, const char *k, long long v);

#endif
