import CFFI

/// A libffi call interface prepared once, when a task registers, and shared
/// read-only by every thread that calls the task.
///
/// The `ffi_cif` and its argument-type array live in heap memory owned by this
/// object (never `&array`, which dies when a call returns), so the cif stays
/// valid as long as the task is registered.
///
/// `@unchecked Sendable`: every field is written in `init` only; libffi reads a
/// prepared cif without writing to it, so concurrent `ffi_call`s are safe.
final class PreparedCall: @unchecked Sendable {
    let cif: UnsafeMutablePointer<ffi_cif>
    let argumentTypes: UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>
    let argumentCount: Int
    let function: @convention(c) () -> Void
    /// Whether the first C argument is the invocation context.
    let bound: Bool
    let signature: TaskSignature

    /// Bytes one argument slot takes in a call frame: enough for the largest
    /// type (`chorus_bytes`), 16-byte aligned.
    static let slotSize = 16
    /// Size of the return buffer: libffi widens integral returns to `ffi_arg`,
    /// and `chorus_bytes` needs 16 bytes.
    static let returnSize = max(16, chorus_ffi_arg_size())

    init(signature: TaskSignature, bound: Bool, function: @escaping @convention(c) () -> Void) throws(ChorusError) {
        self.signature = signature
        self.bound = bound
        self.function = function
        argumentCount = signature.parameters.count + (bound ? 1 : 0)
        argumentTypes = .allocate(capacity: max(argumentCount, 1))
        var i = 0
        if bound {
            argumentTypes[0] = chorus_ffi_pointer()
            i = 1
        }
        for p in signature.parameters {
            argumentTypes[i] = PreparedCall.ffiType(p.type)
            i += 1
        }
        cif = .allocate(capacity: 1)
        let status = ffi_prep_cif(
            cif, chorus_ffi_default_abi(), UInt32(argumentCount), PreparedCall.ffiType(signature.returnType),
            argumentTypes)
        guard status == FFI_OK else {
            cif.deallocate()
            argumentTypes.deallocate()
            throw ChorusError(.invalidSignature, "libffi could not prepare a call for signature \"\(signature)\" (status \(status.rawValue))")
        }
    }

    deinit {
        cif.deallocate()
        argumentTypes.deallocate()
    }

    /// Calls the function. `arguments` holds `argumentCount` pointers to
    /// argument values; `returnValue` has at least `returnSize` bytes.
    func call(arguments: UnsafeMutablePointer<UnsafeMutableRawPointer?>, returnValue: UnsafeMutableRawPointer) {
        ffi_call(cif, function, returnValue, arguments)
    }

    /// The libffi type of a Chorus value type.
    static func ffiType(_ type: ValueType) -> UnsafeMutablePointer<ffi_type> {
        switch type {
        case .void: chorus_ffi_void()
        case .bool: chorus_ffi_uint8()
        case .int32: chorus_ffi_sint32()
        case .int64: chorus_ffi_sint64()
        case .uint64: chorus_ffi_uint64()
        case .double: chorus_ffi_double()
        case .string, .json: chorus_ffi_pointer()
        case .bytes: BytesFFIType.shared.type
        }
    }
}

/// The libffi struct type of `chorus_bytes` ({pointer, size_t}), built once
/// and never freed.
///
/// `@unchecked Sendable`: libffi fills in size and alignment during the first
/// `ffi_prep_cif`, which happens under the registry's lock; afterwards the
/// type is only read.
final class BytesFFIType: @unchecked Sendable {
    static let shared = BytesFFIType()
    let type: UnsafeMutablePointer<ffi_type>

    private init() {
        let elements = UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>.allocate(capacity: 3)
        elements[0] = chorus_ffi_pointer()
        elements[1] = chorus_ffi_size()
        elements[2] = nil
        type = .allocate(capacity: 1)
        type.initialize(to: ffi_type(size: 0, alignment: 0, type: UInt16(chorus_ffi_struct_kind()), elements: elements))
        // Let libffi compute the struct's size and alignment now, once, so later
        // preparations only read the type.
        let probe = UnsafeMutablePointer<ffi_cif>.allocate(capacity: 1)
        defer { probe.deallocate() }
        _ = ffi_prep_cif(probe, chorus_ffi_default_abi(), 0, type, nil)
    }
}
