/* Shared by the cmocka suites. */
#ifndef NODEGUARD_TEST_HELPERS_H
#define NODEGUARD_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Small deterministic PRNG so property tests replay identically everywhere. */
static inline uint32_t test_rand(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*state >> 33);
}

#endif
