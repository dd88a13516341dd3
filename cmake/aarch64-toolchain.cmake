# Cross-compiling Kiln's kernels for AArch64 Linux with the Debian/Ubuntu cross toolchain
# (g++-aarch64-linux-gnu); tests run under qemu-user (qemu-aarch64) with the cross sysroot.
# Used by scripts/test-neon.sh together with -DKILN_KERNELS_ONLY=ON.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(KILN_AARCH64_SYSROOT /usr/aarch64-linux-gnu CACHE PATH "Sysroot of the AArch64 cross toolchain")
set(CMAKE_FIND_ROOT_PATH ${KILN_AARCH64_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_CROSSCOMPILING_EMULATOR "qemu-aarch64;-L;${KILN_AARCH64_SYSROOT}")
