import Hummingbird
import NIOCore
import RaceModel

/// Gives what a route throws the status Hummingbird's MetricsMiddleware (outside this one)
/// counts and the answer the client gets: a refusal (`APIError`, any `HTTPResponseError`)
/// as it is; a client that went away mid-request as 499, as nginx counts it, since it is not
/// the service's failure; anything else as the service's own failure, a line in its log and
/// a 500 whose body says what failed.
struct FailureAnswerMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            throw error
        } catch let error where error is CancellationError || error is ChannelError || error is IOError {
            throw APIError(status: .clientClosedRequest, message: "the client went away: \(error)")
        } catch {
            logLine("http: \(request.method) \(request.uri.path) failed: \(error)")
            throw APIError(
                status: .internalServerError, message: "the service failed to answer \(request.method) \(request.uri.path): \(error) (logged)")
        }
    }
}

extension HTTPResponse.Status {
    /// nginx's 499: the client closed the connection before the answer.
    static let clientClosedRequest = HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request")
}
