import BenchNative
import CFFI
import Chorus
import Foundation

/// Nanoseconds per call of a no-op int64 → int64 function four ways: a direct
/// C call, a raw `ffi_call` with a prepared cif, Chorus's invoke path with
/// arguments already checked, and Chorus from JSON arguments.
enum InvocationBenchmarks {
    static func run(registry: TaskRegistry, calls: Int, runs: Int) throws -> [Measurement] {
        var results: [Measurement] = []
        var sink: Int64 = 0

        results.append(Measurement.run("direct C call", unit: "ns/call", runs: runs, scale: 1e9, count: calls) {
            sink &+= chorus_bench_direct_loop(Int64(calls))
        })

        let cif = UnsafeMutablePointer<ffi_cif>.allocate(capacity: 1)
        let types = UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>.allocate(capacity: 1)
        types[0] = chorus_ffi_sint64()
        guard ffi_prep_cif(cif, chorus_ffi_default_abi(), 1, chorus_ffi_sint64(), types) == FFI_OK else {
            throw ChorusError(.internal, "ffi_prep_cif failed")
        }
        let fn = unsafeBitCast(chorus_bench_identity as @convention(c) (Int64) -> Int64, to: (@convention(c) () -> Void).self)
        results.append(Measurement.run("raw ffi_call, prepared cif", unit: "ns/call", runs: runs, scale: 1e9, count: calls) {
            var argument: Int64 = 0
            var ret: UInt64 = 0
            withUnsafeMutablePointer(to: &argument) { arg in
                var values: UnsafeMutableRawPointer? = UnsafeMutableRawPointer(arg)
                withUnsafeMutablePointer(to: &values) { avalues in
                    for i in 0..<calls {
                        arg.pointee = Int64(i)
                        ffi_call(cif, fn, &ret, avalues)
                        sink &+= Int64(bitPattern: ret)
                    }
                }
            }
        })

        let task = try registry.task(named: "identity")
        let services = StandaloneTaskServices()
        let request = InvocationRequest(taskID: "bench")
        let checked = try Invoker.check(task, args: [7])
        results.append(Measurement.run("Chorus invoke, arguments checked", unit: "ns/call", runs: runs, scale: 1e9, count: calls) {
            for _ in 0..<calls {
                if case .success(.int(let v)) = Invoker.invoke(task, checked: checked, request: request, services: services) { sink &+= v }
            }
        })
        try results.append(Measurement.run("Chorus invoke from JSON args", unit: "ns/call", runs: runs, scale: 1e9, count: calls) {
            for i in 0..<calls {
                if case .success(.int(let v)) = try Invoker.invoke(task, args: [.int(Int64(i))], request: request, services: services) { sink &+= v }
            }
        })
        if sink == 42 { print("") }  // Keeps the work observable.
        return results
    }
}
