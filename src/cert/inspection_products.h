/*
 * inspection_products.h: the built-in table of issuer names that
 * TLS-inspection products forge with (RFC 5280 4.1.2.4), generated from
 * src/cert/data/inspection-products.txt (the source of truth; see that file for
 * the pattern rules) by src/cert/data/gen-inspection.
 */
#ifndef INSPECTION_PRODUCTS_H
#define INSPECTION_PRODUCTS_H

#include <stddef.h>

struct inspection_product {
	const char *product;
	const char *cn;              /* regex over the issuer CN, or NULL */
	const char *o;               /* regex over the issuer O, or NULL */
	const char *source;
};

extern const struct inspection_product inspection_products[];
extern const size_t inspection_nproducts;

#endif
