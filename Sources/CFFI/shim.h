/* Brings the system's libffi (found through pkg-config "libffi") into Swift,
 * with accessors for libffi's global type descriptors: Swift cannot take a
 * stable address of a C global, so these return it. */
#ifndef CHORUS_CFFI_SHIM_H
#define CHORUS_CFFI_SHIM_H

#include <ffi.h>
#include <stddef.h>

static inline ffi_type *chorus_ffi_void(void) { return &ffi_type_void; }
static inline ffi_type *chorus_ffi_uint8(void) { return &ffi_type_uint8; }
static inline ffi_type *chorus_ffi_sint32(void) { return &ffi_type_sint32; }
static inline ffi_type *chorus_ffi_sint64(void) { return &ffi_type_sint64; }
static inline ffi_type *chorus_ffi_uint64(void) { return &ffi_type_uint64; }
static inline ffi_type *chorus_ffi_double(void) { return &ffi_type_double; }
static inline ffi_type *chorus_ffi_pointer(void) { return &ffi_type_pointer; }
/* size_t as libffi sees it. */
static inline ffi_type *chorus_ffi_size(void) {
    return sizeof(size_t) == 8 ? &ffi_type_uint64 : &ffi_type_uint32;
}
static inline size_t chorus_ffi_arg_size(void) { return sizeof(ffi_arg); }
static inline unsigned chorus_ffi_struct_kind(void) { return FFI_TYPE_STRUCT; }
static inline ffi_abi chorus_ffi_default_abi(void) { return FFI_DEFAULT_ABI; }

#endif
