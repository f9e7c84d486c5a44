import CChorus

/// The memory of one native call: an argument slot per C parameter, the
/// pointer array libffi reads, the bytes of string arguments, and the return
/// buffer — one allocation, freed when the frame is released.
///
/// Not thread-safe: a frame belongs to the one call that builds it.
struct CallFrame: ~Copyable {
    let base: UnsafeMutableRawPointer
    let argumentPointers: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    let returnBuffer: UnsafeMutableRawPointer

    /// Lays out `values` (after the context pointer when `context` is given).
    init(values: [NativeValue], context: UnsafeMutableRawPointer?) {
        let slotCount = values.count + (context == nil ? 0 : 1)
        var extra = 0
        for v in values {
            switch v {
            case .cString(let b): extra += b.count + 1
            case .bytes(let b): extra += b.count
            default: break
            }
        }
        let slotsSize = max(slotCount, 1) * PreparedCall.slotSize
        let pointersSize = max(slotCount, 1) * MemoryLayout<UnsafeMutableRawPointer?>.stride
        let total = PreparedCall.returnSize + slotsSize + pointersSize + extra
        base = .allocate(byteCount: total, alignment: 16)
        returnBuffer = base
        returnBuffer.initializeMemory(as: UInt8.self, repeating: 0, count: PreparedCall.returnSize)
        let slots = base + PreparedCall.returnSize
        argumentPointers = (slots + slotsSize).bindMemory(to: UnsafeMutableRawPointer?.self, capacity: max(slotCount, 1))
        var data = slots + slotsSize + pointersSize
        var slot = 0
        if let context {
            slots.storeBytes(of: context, as: UnsafeMutableRawPointer.self)
            argumentPointers[0] = slots
            slot = 1
        }
        for v in values {
            let p = slots + slot * PreparedCall.slotSize
            switch v {
            case .bool(let b): p.storeBytes(of: b, as: UInt8.self)
            case .int32(let i): p.storeBytes(of: i, as: Int32.self)
            case .int64(let i): p.storeBytes(of: i, as: Int64.self)
            case .uint64(let u): p.storeBytes(of: u, as: UInt64.self)
            case .double(let d): p.storeBytes(of: d, as: Double.self)
            case .cString(let b):
                if !b.isEmpty { b.withUnsafeBytes { data.copyMemory(from: $0.baseAddress!, byteCount: b.count) } }
                (data + b.count).storeBytes(of: 0, as: UInt8.self)
                p.storeBytes(of: data, as: UnsafeMutableRawPointer.self)
                data += b.count + 1
            case .bytes(let b):
                if !b.isEmpty { b.withUnsafeBytes { data.copyMemory(from: $0.baseAddress!, byteCount: b.count) } }
                let start: UnsafeMutableRawPointer? = b.isEmpty ? nil : data
                p.storeBytes(of: chorus_bytes(data: start.map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) }, size: b.count), as: chorus_bytes.self)
                data += b.count
            }
            argumentPointers[slot] = p
            slot += 1
        }
    }

    deinit { base.deallocate() }
}
