# Turns openapi/openapi.yaml into a C array (no xxd dependency).
file(READ ${IN} HEX HEX)
string(LENGTH "${HEX}" HEXLEN)
math(EXPR LEN "${HEXLEN} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," BODY "${HEX}")
file(WRITE ${OUT} "/* generated from openapi/openapi.yaml */\n#include <stddef.h>\n"
	"extern const unsigned char jd_openapi_yaml[];\nextern const size_t jd_openapi_yaml_len;\n"
	"const unsigned char jd_openapi_yaml[] = {${BODY}0};\n"
	"const size_t jd_openapi_yaml_len = ${LEN};\n")
