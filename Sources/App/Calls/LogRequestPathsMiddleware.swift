import Hummingbird
import Logging

/// Logs each request's method, path and status — never its query string, which for a call link carries the
/// join token (and for other routes may carry references nobody needs in logs), nor a calendar feed's token,
/// which is part of its path (`CalendarFeedRoutes.loggedPath`).
struct LogRequestPathsMiddleware<Context: RequestContext>: RouterMiddleware {
    let level: Logger.Level

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            context.logger.log(level: level, "request", metadata: [
                "method": "\(request.method)", "path": "\(CalendarFeedRoutes.loggedPath(request.uri.path))", "status": "\(response.status.code)",
                "duration": "\(ContinuousClock.now - start)",
            ])
            return response
        } catch {
            context.logger.log(level: level, "request failed", metadata: [
                "method": "\(request.method)", "path": "\(CalendarFeedRoutes.loggedPath(request.uri.path))", "error": "\(String(reflecting: type(of: error)))",
            ])
            throw error
        }
    }
}
