/// The Chorus release, as `chorus --version` prints it.
public enum ChorusVersion {
    public static let string = "0.1.0"
    /// `chorus 0.1.0 (plugin ABI 1.0)`.
    public static var full: String { "chorus \(string) (plugin ABI \(ABIVersion.current))" }
}
