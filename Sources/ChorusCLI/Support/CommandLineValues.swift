import Chorus
import OrderedCollections

/// Turns command-line words into Celery-style args and kwargs: `NAME=VALUE`
/// words are keyword arguments, other words positional; each value is parsed
/// as JSON when it is valid JSON and taken as a string otherwise (so `3` is a
/// number, `"3"` and `abc` are strings, `[1,2]` is a list).
enum CommandLineValues {
    static func parse(words: [String], argsJSON: String?, kwargsJSON: String?) throws(ChorusError)
        -> (args: [JSON], kwargs: OrderedDictionary<String, JSON>)
    {
        var args: [JSON] = []
        var kwargs = OrderedDictionary<String, JSON>()
        if let argsJSON {
            guard case .array(let a) = try parseJSON(argsJSON, option: "--args") else {
                throw ChorusError(.invalidInput, "--args must be a JSON array, e.g. --args '[1, \"two\"]'")
            }
            args = a
        }
        if let kwargsJSON {
            guard case .object(let o) = try parseJSON(kwargsJSON, option: "--kwargs") else {
                throw ChorusError(.invalidInput, "--kwargs must be a JSON object, e.g. --kwargs '{\"x\": 1}'")
            }
            kwargs = o
        }
        for word in words {
            if let (name, value) = keyword(word) {
                if kwargs[name] != nil {
                    throw ChorusError(.badArguments, "keyword argument '\(name)' is given twice")
                }
                kwargs[name] = value
            } else {
                if !kwargs.isEmpty && kwargsJSON == nil {
                    throw ChorusError(.badArguments, "positional argument '\(word)' follows a keyword argument; put positional values first")
                }
                args.append(value(of: word))
            }
        }
        return (args, kwargs)
    }

    /// A word's value: JSON if it parses, else the word as a string.
    static func value(of word: String) -> JSON {
        (try? JSON(parsing: word)) ?? .string(word)
    }

    /// `NAME=VALUE` where NAME is an identifier.
    static func keyword(_ word: String) -> (String, JSON)? {
        guard let eq = word.firstIndex(of: "=") else { return nil }
        let name = String(word[..<eq])
        guard let first = name.first, first == "_" || (first.isASCII && first.isLetter),
            name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
        else { return nil }
        return (name, value(of: String(word[word.index(after: eq)...])))
    }

    static func parseJSON(_ text: String, option: String) throws(ChorusError) -> JSON {
        do {
            return try JSON(parsing: text)
        } catch {
            throw ChorusError(.invalidInput, "\(option): \(error.description)")
        }
    }
}
