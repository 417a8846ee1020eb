/*
 * Stand-in for Windows' bcryptprimitives.dll, for running Rust programs
 * under Wine 8.0, which lacks that DLL. Rust's std (1.78+) imports
 * ProcessPrng from it for HashMap seeds and getrandom. Built by
 * win_build_prng_shim (scripts/windows/env.sh) and placed beside the .exe.
 * Test use only: never ship it next to a real module.
 */
#include <windows.h>

/* advapi32's RtlGenRandom; the mingw headers declare it only under names. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    /* SIZE_T may exceed ULONG on x64: fill in chunks. */
    while (len > 0) {
        ULONG chunk = len > 0x10000000u ? 0x10000000u : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
