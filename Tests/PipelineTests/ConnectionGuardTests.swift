import Foundation
import Testing

/// The HTTP listener's limits and timeouts, through real sockets to `alleycat serve`.
@Suite struct ConnectionGuardTests {
    static func answer(_ status: String, _ error: String) -> String {
        let body = #"{"error":"\#(error)"}"#
        return "HTTP/1.1 \(status)\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: \(body.utf8.count)\r\nconnection: close\r\n\r\n\(body)"
    }

    @Test func malformedRequestsAreAnsweredWithAReasonAndClosed() throws {
        let directory = temporaryDirectory("guard-malformed")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let serve = try ServeProcess(["--data", directory, "--in-memory"])
        defer { _ = serve.stop() }
        let cases: [(String, String, String)] = [
            ("GARBAGE\r\n\r\n", "400 Bad Request", #"not an HTTP request line: 'GARBAGE' (expected METHOD /path HTTP/1.1)"#),
            ("GET /health HTTP/2.0\r\n\r\n", "505 HTTP Version Not Supported", "HTTP version 'HTTP/2.0' is not served: use HTTP/1.1"),
            ("GET /health HTTP/1.1\r\nno colon here\r\n\r\n", "400 Bad Request", "not a header line: 'no colon here' (expected Name: value)"),
            ("POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n", "400 Bad Request", "Content-Length is '-5', must be a whole number of bytes"),
            ("POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", "400 Bad Request", "Content-Length is 'abc', must be a whole number of bytes"),
            ("POST / HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n", "400 Bad Request",
             "Content-Length is '18446744073709551616', must be a whole number of bytes"),
            ("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", "400 Bad Request", "Content-Length is given 2 times: send it once"),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc", "400 Bad Request",
             "a request may not have both Transfer-Encoding and Content-Length"),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", "400 Bad Request",
             "Transfer-Encoding 'gzip' is not accepted: send chunked, or a Content-Length"),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "400 Bad Request", "chunk size 'zz' is not a hexadecimal number of bytes"),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef", "400 Bad Request", "a chunk's data is longer than its size"),
            ("POST / HTTP/1.1\r\nContent-Length: 16777217\r\n\r\n", "413 Content Too Large", "a request body of 16777217 bytes is over the 16 MiB limit"),
            ("GET /\(String(repeating: "a", count: 70_000)) HTTP/1.1\r\n\r\n", "431 Request Header Fields Too Large",
             "the request line and headers are over 65536 bytes"),
            ("GET /\u{1B}[2J HTTP/1.1 x\r\n\r\n", "400 Bad Request", #"not an HTTP request line: 'GET /\\u{1B}[2J HTTP/1.1 x' (expected METHOD /path HTTP/1.1)"#),
        ]
        for (request, status, error) in cases {
            let connection = try RawConnection(port: serve.port)
            connection.send(request)
            let answer = connection.readUntilClosed()
            #expect(answer.closed, "\(request.prefix(60))")
            #expect(answer.text == Self.answer(status, error), "\(request.prefix(60))")
        }
        // A well-formed chunked request goes through to its route.
        let chunked = try RawConnection(port: serve.port)
        chunked.send("POST /nowhere HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        #expect(chunked.readUntilClosed().text.hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect(try serve.metric(#"alleycat_http_refused_total{reason="malformed"}"#) == Double(cases.count))
    }

    @Test func slowAndIdleConnectionsAreClosed() throws {
        let directory = temporaryDirectory("guard-timeouts")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = try createKey("slow", data: directory)
        let serve = try ServeProcess(["--data", directory, "--in-memory", "--idle-timeout", "0.3", "--header-timeout", "0.3", "--body-timeout", "0.3"])
        defer { _ = serve.stop() }
        let idle = try RawConnection(port: serve.port)
        let idleAnswer = idle.readUntilClosed()
        #expect(idleAnswer == (text: "", closed: true))

        let halfHead = try RawConnection(port: serve.port)
        halfHead.send("GET /health HTTP/1.1\r\nHost: loc")
        #expect(halfHead.readUntilClosed().text == Self.answer("408 Request Timeout", "the request head did not arrive whole within 0.3 s"))

        let halfBody = try RawConnection(port: serve.port)
        halfBody.send("POST / HTTP/1.1\r\nX-Amz-Target: Kinesis_20131202.PutRecords\r\nx-api-key: \(key)\r\nContent-Length: 10\r\n\r\nabc")
        #expect(halfBody.readUntilClosed().text == Self.answer("408 Request Timeout", "the request body did not arrive whole within 0.3 s"))

        // A route that refuses before reading the body has answered: a stalled body then only closes.
        let refusedEarly = try RawConnection(port: serve.port)
        refusedEarly.send("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc")
        let early = refusedEarly.readUntilClosed()
        #expect(early.closed)
        #expect(early.text.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(early.text.hasSuffix(#"{"__type":"UnknownOperationException","message":"The X-Amz-Target header is missing: send Kinesis_20131202.<Action>, for example Kinesis_20131202.PutRecords"}"#))

        // A kept-alive connection is answered, then closed once idle.
        let keptAlive = try RawConnection(port: serve.port)
        keptAlive.send("GET /health HTTP/1.1\r\n\r\n")
        let answer = keptAlive.readUntilClosed()
        #expect(answer.closed)
        #expect(answer.text.hasPrefix("HTTP/1.1 200 OK\r\n") && answer.text.hasSuffix(#""status":"ok"}"#))

        #expect(try serve.metric(#"alleycat_http_refused_total{reason="idle-timeout"}"#) == 2)
        #expect(try serve.metric(#"alleycat_http_refused_total{reason="header-timeout"}"#) == 1)
        #expect(try serve.metric(#"alleycat_http_refused_total{reason="body-timeout"}"#) == 2)
    }

    @Test func beyondTheLimitOnlyHealthAndMetricsAreAnswered() throws {
        let directory = temporaryDirectory("guard-limit")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let serve = try ServeProcess(["--data", directory, "--in-memory", "--max-connections", "3", "--reserve-connections", "1"])
        defer { _ = serve.stop() }
        // Three connections, each answered once (so each is surely counted), kept open.
        let held = try (0..<3).map { _ in
            let connection = try RawConnection(port: serve.port)
            connection.send("GET /health HTTP/1.1\r\n\r\n")
            #expect(connection.read(until: #""status":"ok"}"#).hasPrefix("HTTP/1.1 200 OK\r\n"))
            return connection
        }
        let reserveOnly = try RawConnection(port: serve.port)
        reserveOnly.send("GET /races?classId=1 HTTP/1.1\r\n\r\n")
        #expect(reserveOnly.readUntilClosed().text == Self.answer(
            "503 Service Unavailable", "the service has 3 connections open, its limit; only /health and /metrics are answered now: retry later"))

        let health = try RawConnection(port: serve.port)
        health.send("GET /health HTTP/1.1\r\n\r\n")
        #expect(health.read(until: #""status":"ok"}"#).hasPrefix("HTTP/1.1 200 OK\r\n"))
        // Three held and one from the reserve: the next is refused at once.
        let refused = try RawConnection(port: serve.port)
        #expect(refused.readUntilClosed().text == Self.answer("503 Service Unavailable", "the service has 4 connections open, its limit: retry later"))

        // A connection that never asks for anything is closed to make room for one that does.
        health.shutDown()
        usleep(100_000)  // let the service see it go (not a measurement)
        let squatter = try RawConnection(port: serve.port)
        usleep(100_000)  // let the service take it before the next one (not a measurement)
        let late = try RawConnection(port: serve.port)
        late.send("GET /metrics HTTP/1.1\r\n\r\n")
        #expect(late.read(until: "\n").hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(squatter.readUntilClosed() == (text: "", closed: true))
        #expect(held.count == 3)
        late.shutDown()
        usleep(100_000)
        #expect(try serve.metric(#"alleycat_http_refused_total{reason="evicted"}"#) == 1)
    }
}
