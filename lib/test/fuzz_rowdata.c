/*
 * fuzz_rowdata.c: libFuzzer target for the row and ev_type decoders
 * (make -C lib fuzz).  Whatever the input, decoding must not crash, read
 * or write out of bounds, or leak; a row that decodes must encode to
 * something that decodes to the same fields; what strict decoding
 * (SKY_ROW_NO_NULLS) accepts, lax decoding accepts alike.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "skytools/rowdata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	SkyRow row, again;
	SkyEvType t;
	char err[256];
	char *type;

	/* strict decoding accepts a subset: what it accepts decodes alike */
	if (sky_row_decode(&row, (const char *) data, size, SKY_ROW_NO_NULLS, err,
					   sizeof(err)))
	{
		if (!sky_row_decode(&again, (const char *) data, size, 0, err,
							sizeof(err)) ||
			again.nfields != row.nfields)
			abort();
		sky_row_free(&again);
	}
	sky_row_free(&row);

	if (sky_row_decode(&row, (const char *) data, size, 0, err, sizeof(err)))
	{
		char *enc = sky_row_encode(&row);
		int i;

		if (enc == NULL)
			abort();
		if (!sky_row_decode(&again, enc, strlen(enc), 0, err, sizeof(err)) ||
			again.nfields != row.nfields)
			abort();
		for (i = 0; i < row.nfields; i++)
		{
			if (strcmp(row.fields[i].key, again.fields[i].key) != 0 ||
				(row.fields[i].value == NULL) !=
					(again.fields[i].value == NULL) ||
				(row.fields[i].value &&
				 strcmp(row.fields[i].value, again.fields[i].value) != 0))
				abort();
		}
		sky_row_free(&again);
		free(enc);
	}
	sky_row_free(&row);

	type = malloc(size + 1);
	if (type == NULL)
		return 0;
	memcpy(type, data, size);
	type[size] = '\0';
	sky_evtype_parse(&t, type, err, sizeof(err));
	sky_evtype_free(&t);
	free(type);
	return 0;
}
