import CChorus
import Foundation
import Testing
@testable import Chorus

/// The chorus_host table handed to plugins.
@Suite struct HostTableTests {
    @Test func declaresItsSizeAndVersionAndProvidesEveryFunction() {
        let host = HostAPI.table.pointee
        #expect(Int(host.size) == MemoryLayout<chorus_host>.size)
        #expect(host.abi_version == UInt32(CHORUS_ABI_MAJOR) << 16 | UInt32(CHORUS_ABI_MINOR))
        #expect(host.task_id != nil && host.task_name != nil && host.retries != nil)
        #expect(host.fail != nil && host.fail_permanent != nil && host.log != nil && host.alloc != nil)
        #expect(host.retry != nil && host.dispatch != nil && host.time_scale != nil)
        #expect(host.state_get != nil && host.state_set != nil && host.state_delete != nil)
        #expect(host.state_increment != nil && host.state_list != nil)
    }

    @Test func refusesAnUnsafePluginDirectory() throws {
        let directory = canonical(Scratch.directory())
        #expect(throws: Never.self) { try PluginFile.checkDirectory(directory) }
        #expect(chmod(directory, 0o777) == 0)
        #expect {
            try PluginFile.checkDirectory(directory)
        } throws: { error in
            let message = (error as? ChorusError)?.message ?? ""
            return message.contains("the directory is writable by group or others") && message.contains("chmod go-w \(directory)")
        }
    }
}
