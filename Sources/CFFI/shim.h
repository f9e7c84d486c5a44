/* Brings the system's libffi (found through pkg-config "libffi") into Swift. */
#include <ffi.h>
