import Testing
@testable import Chorus

@Suite struct JSONTests {
    @Test func roundTripsExactIntegers() throws {
        let v = try JSON(parsing: #"[9223372036854775807, 18446744073709551615, -9223372036854775808, 1.0, 1e3]"#)
        #expect(v == .array([.int(.max), .uint(.max), .int(.min), .double(1), .double(1000)]))
        #expect(v.serialized() == "[9223372036854775807,18446744073709551615,-9223372036854775808,1.0,1000.0]")
    }
}
