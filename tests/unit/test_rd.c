/* test_rd.c: the bounds-checked reader. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rd.h"

static void
test_scalars(void **state)
{
	static const uint8_t b[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	struct rd r;
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;

	(void)state;
	rd_init(&r, b, sizeof b);
	assert_true(rd_u8(&r, &v8));
	assert_int_equal(v8, 1);
	assert_true(rd_u16(&r, &v16));
	assert_int_equal(v16, 0x0203);
	assert_true(rd_u24(&r, &v32));
	assert_int_equal(v32, 0x040506);
	assert_true(rd_u32(&r, &v32));
	assert_int_equal(v32, 0x0708090a);
	assert_true(rd_empty(&r));
	assert_false(rd_u8(&r, &v8));
	assert_int_equal(v8, 0);
}

static void
test_short_reads_leave_cursor(void **state)
{
	static const uint8_t b[] = {0xaa, 0xbb, 0xcc};
	struct rd r;
	uint32_t v32 = 99;
	uint16_t v16;

	(void)state;
	rd_init(&r, b, sizeof b);
	assert_false(rd_u32(&r, &v32));
	assert_int_equal(v32, 0);
	assert_int_equal(r.left, 3);
	assert_true(rd_u16(&r, &v16));
	assert_false(rd_u16(&r, &v16));
	assert_int_equal(r.left, 1);
	assert_false(rd_skip(&r, 2));
	assert_true(rd_skip(&r, 1));
	assert_true(rd_empty(&r));
}

static void
test_vectors(void **state)
{
	/* vec16 of 3 bytes holding a vec8 of 2, then a trailing byte. */
	static const uint8_t b[] = {0x00, 0x03, 0x02, 0x11, 0x22, 0x33};
	struct rd r, v, w;
	uint8_t x;

	(void)state;
	rd_init(&r, b, sizeof b);
	assert_true(rd_vec16(&r, &v));
	assert_int_equal(v.left, 3);
	assert_true(rd_vec8(&v, &w));
	assert_int_equal(w.left, 2);
	assert_true(rd_empty(&v));
	assert_true(rd_u8(&r, &x));
	assert_int_equal(x, 0x33);
}

static void
test_vector_overruns(void **state)
{
	/* Each length prefix promises one byte more than there is. */
	static const uint8_t b8[] = {0x03, 1, 2};
	static const uint8_t b16[] = {0x00, 0x03, 1, 2};
	static const uint8_t b24[] = {0x00, 0x00, 0x03, 1, 2};
	struct rd r, v;

	(void)state;
	rd_init(&r, b8, sizeof b8);
	assert_false(rd_vec8(&r, &v));
	assert_int_equal(r.left, sizeof b8);
	rd_init(&r, b16, sizeof b16);
	assert_false(rd_vec16(&r, &v));
	assert_int_equal(r.left, sizeof b16);
	rd_init(&r, b24, sizeof b24);
	assert_false(rd_vec24(&r, &v));
	assert_int_equal(r.left, sizeof b24);
	/* A length prefix that is itself cut. */
	rd_init(&r, b16, 1);
	assert_false(rd_vec16(&r, &v));
	assert_int_equal(r.left, 1);
}

static void
test_null_view(void **state)
{
	struct rd r;
	uint8_t x;

	(void)state;
	rd_init(&r, NULL, 10);
	assert_true(rd_empty(&r));
	assert_false(rd_u8(&r, &x));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_short_reads_leave_cursor),
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_vector_overruns),
		cmocka_unit_test(test_null_view),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
