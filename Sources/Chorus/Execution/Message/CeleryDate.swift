import Foundation

/// ISO-8601 timestamps exactly as Celery writes them (Python's
/// `datetime.isoformat()` on an aware UTC datetime):
/// `2026-11-26T05:03:49.101961+00:00`, six fraction digits, no fraction when
/// the microseconds are zero.
///
/// Parsing accepts what Python and other producers send: any number of fraction
/// digits (kept to the microsecond), `Z` or a `±HH:MM`/`±HHMM` offset, a space
/// instead of `T`, and no offset at all (read as UTC, like Celery with `enable_utc`).
/// Written by hand (proleptic Gregorian, no `Calendar`) so it is exact and
/// locale-free.
public enum CeleryDate {
    /// The Celery text of `date`, in UTC, rounded to the microsecond.
    public static func format(_ date: Date) -> String {
        let totalMicros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let (seconds, micros) = floorDivide(totalMicros, 1_000_000)
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let (y, m, d) = civil(fromDays: days)
        guard (0...9999).contains(y) else {
            // Years outside four digits (never in practice): the general path.
            var text = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T"
            text += "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
            if micros != 0 { text += ".\(pad(micros, 6))" }
            return text + "+00:00"
        }
        // The same text written straight into one buffer: this runs for every
        // message sent (the `chorus_sent` header), and string interpolation
        // with padding cost several thousand instructions.
        let length = micros != 0 ? 32 : 25
        return String(unsafeUninitializedCapacity: length) { buffer in
            var out = 0
            func put(_ value: Int64, _ width: Int) {
                var v = value
                for i in stride(from: width - 1, through: 0, by: -1) {
                    buffer[out + i] = UInt8(truncatingIfNeeded: 48 + v % 10)
                    v /= 10
                }
                out += width
            }
            func put(_ character: Unicode.Scalar) {
                buffer[out] = UInt8(ascii: character)
                out += 1
            }
            put(y, 4); put("-"); put(m, 2); put("-"); put(d, 2); put("T")
            put(secondOfDay / 3600, 2); put(":"); put(secondOfDay / 60 % 60, 2); put(":"); put(secondOfDay % 60, 2)
            if micros != 0 { put("."); put(micros, 6) }
            put("+"); put(0, 2); put(":"); put(0, 2)
            return out
        }
    }

    /// The date in `text`, or nil when it is not an ISO-8601 date-time.
    public static func parse(_ text: String) -> Date? {
        var scanner = Scanner(Array(text.utf8))
        guard let year = scanner.digits(4), scanner.skip("-"), let month = scanner.digits(2), scanner.skip("-"),
            let day = scanner.digits(2), scanner.skip("T") || scanner.skip("t") || scanner.skip(" "),
            let hour = scanner.digits(2), scanner.skip(":"), let minute = scanner.digits(2), scanner.skip(":"),
            let second = scanner.digits(2)
        else { return nil }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var micros: Int64 = 0
        if scanner.skip(".") || scanner.skip(",") {
            var count = 0
            while let digit = scanner.digit() {
                if count < 6 { micros = micros * 10 + Int64(digit) }
                count += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<max(count, 6) { micros *= 10 }
        }
        var offsetSeconds: Int64 = 0
        if scanner.skip("Z") || scanner.skip("z") || scanner.atEnd {
            offsetSeconds = 0
        } else if let sign = scanner.sign() {
            guard let oh = scanner.digits(2) else { return nil }
            _ = scanner.skip(":")
            guard let om = scanner.digits(2), oh < 24, om < 60 else { return nil }
            offsetSeconds = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard scanner.atEnd else { return nil }
        let days = self.days(fromCivil: year, month, day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }

    // MARK: Calendar arithmetic (Howard Hinnant's days-from-civil algorithms)

    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func skip(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(character.value) else { return false }
            index += 1
            return true
        }

        mutating func digit() -> Int? {
            guard index < bytes.count, (48...57).contains(bytes[index]) else { return nil }
            index += 1
            return Int(bytes[index - 1] - 48)
        }

        mutating func digits(_ count: Int) -> Int64? {
            var value: Int64 = 0
            for _ in 0..<count {
                guard let d = digit() else { return nil }
                value = value * 10 + Int64(d)
            }
            return value
        }

        mutating func sign() -> Int64? {
            if skip("+") { return 1 }
            if skip("-") { return -1 }
            return nil
        }
    }
}
