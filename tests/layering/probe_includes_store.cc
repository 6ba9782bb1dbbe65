// Deliberately broken: the probe may not use the store (docs/architecture.md).
// tests/layering_test.py builds this with the probe module's include path
// and expects the compiler to refuse the include below.
#include "store/store.h"

int main() {
  return 0;
}
