import Foundation
import Hummingbird

/// GET /, /app.js and /style.css: the dashboard page, shipped as package resources.
extension ServiceRoutes {
    static let dashboardFiles: [String: String] = [
        "index.html": "text/html; charset=utf-8",
        "app.js": "text/javascript; charset=utf-8",
        "style.css": "text/css; charset=utf-8",
    ]

    func addDashboardRoutes(to router: Router<RouteContext>) {
        router.get("/") { _, _ in try Self.dashboardFile("index.html") }
        for name in Self.dashboardFiles.keys {
            router.get(RouterPath(stringLiteral: "/" + name)) { _, _ in try Self.dashboardFile(name) }
        }
    }

    static func dashboardFile(_ name: String) throws -> Response {
        guard let type = dashboardFiles[name],
              let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Dashboard"),
              let data = try? Data(contentsOf: url)
        else {
            throw APIError.notFound("no dashboard file '\(name)'")
        }
        return Response(status: .ok, headers: [.contentType: type], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
