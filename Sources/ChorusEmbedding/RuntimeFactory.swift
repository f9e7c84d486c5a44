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
            // The durable backend: queue, results, history and plugin state in one file.
            do throws(ChorusError) {
                let backend = try SQLiteBackend(path: path, scale: TimeScale(validating: values.timeScale))
                runtime = try Runtime(registry: registry, configuration: configuration, broker: backend, store: backend, state: backend)
            } catch {
                throw APIError(error)
            }
        }
        runtime.start()
        return runtime
    }
}
