// Test library: a valid shared library with an exported function but no vmbench descriptor.

extern "C" __attribute__((visibility("default"))) int fake_no_descriptor_answer() { return 42; }
