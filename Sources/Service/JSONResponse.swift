import Foundation
import Hummingbird

/// JSON answers at the API edge (Foundation's serializer is fine here: one small
/// document per request, not the record path).
enum JSONResponse {
    static func ok(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// A refusal with the status and a message that says what to send instead:
/// answered as `{"error": "..."}`.
struct APIError: Error, HTTPResponseError, CustomStringConvertible {
    let status: HTTPResponse.Status
    let message: String

    static func badRequest(_ message: String) -> APIError { APIError(status: .badRequest, message: message) }
    static func notFound(_ message: String) -> APIError { APIError(status: .notFound, message: message) }

    var description: String { message }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONResponse.ok(["error": message], status: status)
    }
}

/// Typed reading of query parameters, with the messages the API promises.
struct Query {
    private var parameters: [String: String] = [:]

    init(_ request: Request) {
        // The first value wins when a parameter repeats.
        for (name, value) in request.uri.queryParameters where parameters[String(name)] == nil {
            parameters[String(name)] = String(value)
        }
    }

    func string(_ name: String) -> String? {
        parameters[name]
    }

    func classId() throws -> Int {
        guard let text = string("classId") else {
            throw APIError.badRequest("classId is required: classes are 1 to 6")
        }
        guard let value = Int(text), (1...6).contains(value) else {
            throw APIError.badRequest("classId is '\(text)', must be a class from 1 to 6")
        }
        return value
    }

    func integer(_ name: String, default value: Int? = nil, range: ClosedRange<Int>) throws -> Int? {
        guard let text = string(name) else { return value }
        guard let parsed = Int(text), range.contains(parsed) else {
            throw APIError.badRequest("\(name) is '\(text)', must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return parsed
    }

    func choice(_ name: String, from choices: [String], default value: String) throws -> String {
        guard let text = string(name) else { return value }
        guard choices.contains(text) else {
            throw APIError.badRequest("\(name) is '\(text)', must be \(choices.dropLast().joined(separator: ", ")) or \(choices.last!)")
        }
        return text
    }
}
