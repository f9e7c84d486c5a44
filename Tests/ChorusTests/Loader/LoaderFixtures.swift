/// Fixture libraries shared by several loader tests, each built exactly once
/// per process (a `static let` initialises once, so two tests never compile
/// the same output file at the same time).
enum LoaderFixtures {
    static let wellFormed = Result { try PluginBuilder.fixture("loader_cases") }
    static let dotted = Result { try PluginBuilder.fixture("loader_cases", defines: ["CASE_TASK_NAME_DOTTED"]) }
    static let counted = Result { try PluginBuilder.fixture("counted") }
    static let helperOne = Result { try PluginBuilder.fixture("shared_helper", defines: ["CASE_ONE"]) }
    static let helperTwo = Result { try PluginBuilder.fixture("shared_helper", defines: ["CASE_TWO"]) }
    static let clashA = Result { try PluginBuilder.fixture("clash", defines: ["CASE_A"]) }
    static let clashB = Result { try PluginBuilder.fixture("clash", defines: ["CASE_B"]) }
}
