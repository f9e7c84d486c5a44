import Foundation

/// The calling thread's last error message, for `chorus_last_error(NULL)`.
/// A C string per thread, freed when the thread exits.
enum ThreadError {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, { free($0) })
        return key
    }()

    static func set(_ text: String) {
        let old = pthread_getspecific(key)
        pthread_setspecific(key, strdup(text))
        free(old)
    }

    static var current: UnsafePointer<CChar>? {
        pthread_getspecific(key).map { UnsafePointer($0.assumingMemoryBound(to: CChar.self)) }
    }
}
