/*
 * LAB STAND-IN for NVIDIA's kernel module (provision's sandbox lab only): an ELF relocatable
 * object whose .modinfo section carries the driver version, so `modinfo -F version` reads it
 * like the real nvidia.ko. It is never loaded: the lab simulates /proc/modules per boot.
 */
#ifndef NVIDIA_VERSION
#error "build with -DNVIDIA_VERSION=\"<driver version>\""
#endif

static const char nvidia_modinfo[] __attribute__((section(".modinfo"), used, aligned(1))) =
    "version=" NVIDIA_VERSION "\0"
    "license=NVIDIA\0"
    "description=NVIDIA kernel module (sandbox lab stand-in)\0"
    "alias=char-major-195-*\0"
    "depends=\0"
    "name=nvidia\0"
    "vermagic=lab-stand-in SMP mod_unload modversions \0";

int init_module(void) { return 0; }
void cleanup_module(void) {}
