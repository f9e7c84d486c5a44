import CChorus
import Chorus

/// Builds the Swift `Runtime` a `chorus_config` describes.
enum RuntimeFactory {
    static func make(_ values: EmbeddingConfiguration) throws(APIError) -> Runtime {
        let registry = TaskRegistry()
        do throws(ChorusError) {
            for path in values.plugins { try registry.loadPlugin(at: path) }
        } catch {
            throw APIError(error)
        }
        let configuration = RuntimeConfiguration(concurrency: values.concurrency, timeScale: values.timeScale)
        let runtime: Runtime
        switch values.backend {
        case .memory:
            do throws(ChorusError) {
                runtime = try Runtime(registry: registry, configuration: configuration)
            } catch {
                throw APIError(error)
            }
        case .sqlite(let path):
            // WIRE-SQLITE: the one place the durable backend plugs in. Once it
            // exists, open it at `path` and build the runtime with
            // `Runtime(registry:configuration:broker:store:state:)` here.
            throw APIError(
                CHORUS_E_UNSUPPORTED,
                "the SQLite backend (\(path)) is not available in this version of libchorus; use CHORUS_BACKEND_MEMORY")
        }
        runtime.start()
        return runtime
    }
}
