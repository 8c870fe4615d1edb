import Foundation
import Crypto
import Hummingbird
import Leaderboard
import Storage

/// GET /history/class-N.gz: the history file as is, with an ETag.
extension ServiceRoutes {
    func addHistoryRoutes(to router: Router<RouteContext>) {
        router.get("/history/:file") { request, context in
            let file = context.parameters.get("file") ?? ""
            let classes = (1...6).map { HistoryMerger.historyKey(classId: $0) }
            guard classes.contains(file) else {
                throw APIError.notFound("no history file '\(file)': the files are class-1.gz to class-6.gz")
            }
            guard historyBucket.exists(key: file) else {
                throw APIError.notFound("\(file) has no history yet: no race of that class has been merged")
            }
            let bytes = try historyBucket.get(key: file)
            let etag = "\"" + Insecure.MD5.hash(data: bytes).map { String(format: "%02x", $0) }.joined() + "\""
            if let match = request.headers[.ifNoneMatch], match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag || $0 == "*" }) {
                return Response(status: .notModified, headers: [.eTag: etag])
            }
            return Response(
                status: .ok,
                headers: [.contentType: "application/gzip", .eTag: etag, .cacheControl: "no-cache"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }
}
