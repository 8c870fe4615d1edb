// libFuzzer's entry for programs that have their own main (LLVM 13 and later).
// Declared only: a build with -sanitize=fuzzer links it, a normal build never calls it.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
