import Testing
@testable import Chorus

/// Argument binding errors, worded like Python's, raised before the call.
@Suite struct ArgumentErrorTests {
    static let types = InvokerTypesTests.registry

    @Test func missingArguments() {
        InvocationFixture.expectBadArguments("add", [1], in: Self.types, mentions: ["add() missing 1 required argument: 'y'"])
        InvocationFixture.expectBadArguments("add", kwargs: ["y": 1], in: Self.types, mentions: ["add() missing 1 required argument: 'x'"])
        InvocationFixture.expectBadArguments("add", in: Self.types, mentions: ["add() missing 2 required arguments: 'x' and 'y'"])
        InvocationFixture.expectBadArguments("sum3", mentions: ["sum3() missing 3 required arguments: 'a', 'b', and 'c'"])
        InvocationFixture.expectBadArguments("sum3", kwargs: ["b": 1], mentions: ["sum3() missing 2 required arguments: 'a' and 'c'"])
    }

    @Test func tooManyPositionalArguments() {
        InvocationFixture.expectBadArguments("add", [1, 2, 3], in: Self.types, mentions: ["add() takes 2 positional arguments but 3 were given"])
        InvocationFixture.expectBadArguments("echo_int64", [1, 2], in: Self.types, mentions: ["echo_int64() takes 1 positional argument but 2 were given"])
        InvocationFixture.expectBadArguments("nothing", [1], in: Self.types, mentions: ["nothing() takes 0 positional arguments but 1 was given"])
    }

    @Test func unexpectedKeyword() {
        InvocationFixture.expectBadArguments("add", [1, 2], kwargs: ["z": 3], in: Self.types, mentions: ["add() got an unexpected keyword argument 'z'"])
        InvocationFixture.expectBadArguments("nothing", kwargs: ["x": 1], in: Self.types, mentions: ["nothing() got an unexpected keyword argument 'x'"])
    }

    @Test func multipleValuesForArgument() {
        InvocationFixture.expectBadArguments("add", [1], kwargs: ["x": 2], in: Self.types, mentions: ["add() got multiple values for argument 'x'"])
    }

    @Test func keywordsBindInAnyOrder() throws {
        #expect(try InvocationFixture.call("sum3", [100], kwargs: ["c": 1, "b": 10]) == .success(111))
        #expect(try InvocationFixture.call("sum3", [], kwargs: ["c": 3, "a": 1, "b": 2]) == .success(6))
    }

    @Test func nullIsAValueNotAMissingArgument() {
        // An explicit null is bound (and then refused by the type check), not reported as missing.
        InvocationFixture.expectBadArguments("add", [nil, 1], in: Self.types, mentions: ["add: argument x: expected int64, got null"])
    }
}

extension ArgumentErrorTests {
    @Test func jsonArgumentsArriveAsCanonicalText() throws {
        // No insignificant whitespace; object keys in the order received.
        let value = try JSON(parsing: #"{ "b" : 1, "a" : [ 1, 2.5, "x", null, true ], "c" : { } }"#)
        #expect(try InvocationFixture.call("json_text", [value]) == .success(#"{"b":1,"a":[1,2.5,"x",null,true],"c":{}}"#))
    }
}
