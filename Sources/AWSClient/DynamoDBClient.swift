import KinesisWire

/// One DynamoDB attribute value, of the types a lease table holds.
public enum DynamoValue: Sendable, Equatable, CustomStringConvertible {
    case string(String)
    /// A number as DynamoDB carries it, in decimal text.
    case number(String)
    case bool(Bool)
    case null
    case stringSet([String])

    public static func number(_ value: some BinaryInteger) -> DynamoValue { .number(String(value)) }

    public var string: String? { if case let .string(text) = self { text } else { nil } }
    public var integer: Int64? { if case let .number(text) = self { Int64(text) } else { nil } }
    public var strings: [String]? { if case let .stringSet(values) = self { values } else { nil } }

    public var description: String {
        switch self {
        case let .string(text): "\"\(text)\""
        case let .number(text): text
        case let .bool(value): String(value)
        case .null: "null"
        case let .stringSet(values): "{" + values.map { "\"\($0)\"" }.joined(separator: ", ") + "}"
        }
    }
}

public typealias DynamoItem = [String: DynamoValue]

/// A condition or update expression with its placeholders (`#n0` names, `:v0` values).
public struct DynamoExpression: Sendable, Equatable {
    public var text: String
    public var names: [String: String]
    public var values: DynamoItem

    public init(_ text: String, names: [String: String] = [:], values: DynamoItem = [:]) {
        self.text = text
        self.names = names
        self.values = values
    }
}

/// The DynamoDB JSON API (`application/x-amz-json-1.0`, `X-Amz-Target: DynamoDB_20120810.<Action>`),
/// SigV4-signed for "dynamodb": the calls a lease table needs, on Amazon DynamoDB or moto.
public final class DynamoDBClient: Sendable {
    public static let targetPrefix = "DynamoDB_20120810."
    public static let contentType = "application/x-amz-json-1.0"

    public let http: AWSHTTPClient
    public var endpoint: String { http.configuration.endpoint }

    /// `clock` gives epoch milliseconds for the signature's date (the wall clock unless a test pins it).
    public init(
        configuration: AWSConfiguration, requestTimeoutMillis: Int64 = 10_000, clock: @escaping @Sendable () -> Int64 = AWSHTTPClient.wallClockMillis
    ) {
        http = AWSHTTPClient(configuration: configuration, requestTimeoutMillis: requestTimeoutMillis, clock: clock)
    }

    /// The headers every call carries before it is signed.
    public static func headers(action: String) -> [(name: String, value: String)] {
        [("Content-Type", contentType), ("X-Amz-Target", targetPrefix + action)]
    }

    public func shutdown() { http.shutdown() }

    /// One call of any action: the body of a 200 answer.
    public func call(action: String, body: [UInt8]) throws(AWSCallError) -> [UInt8] {
        let response: AWSResponse
        do {
            response = try http.send(method: .POST, headers: Self.headers(action: action), body: body)
        } catch {
            throw .noAnswer("DynamoDB \(action) at \(endpoint) got no answer: \(error.reason); \(http.endpointHint)")
        }
        guard response.status == 200 else {
            let answer = AWSErrorAnswer(status: response.status, errorTypeHeader: response.header("x-amzn-ErrorType"), body: response.body)
            var text = "DynamoDB \(action) at \(endpoint) failed with \(answer.type.isEmpty ? "HTTP \(response.status)" : answer.type): \(answer.message)"
            if AWSErrorAnswer.credentialTypes.contains(answer.type) {
                text += "; check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION"
            } else if answer.type == "AccessDeniedException" {
                text += "; the credentials need permission for dynamodb:\(action) on the table"
            }
            throw .refused(answer, text)
        }
        return response.body
    }

    // MARK: - Tables

    /// The table's status (`CREATING`, `ACTIVE`...), or nil when there is no such table.
    public func tableStatus(_ table: String) throws(AWSCallError) -> String? {
        let body: [UInt8]
        do {
            body = try call(action: "DescribeTable", body: Self.object { $0.key("TableName"); $0.string(table) })
        } catch where error.errorType == "ResourceNotFoundException" {
            return nil
        }
        var status: String?
        try read("DescribeTable", body) { reader, member in
            guard member == "Table" else { return try reader.skipValue() }
            try reader.readObject { reader, member in
                if member == "TableStatus" { status = try reader.optionalString() } else { try reader.skipValue() }
            }
        }
        return status
    }

    /// Creates a table keyed by one string attribute, billed per request (as the KCL creates
    /// its lease table). A table that already exists is not an error.
    public func createTable(_ table: String, hashKey: String) throws(AWSCallError) {
        let body = Self.object { writer in
            writer.key("TableName"); writer.string(table)
            writer.key("AttributeDefinitions")
            writer.beginArray()
            writer.beginObject(); writer.key("AttributeName"); writer.string(hashKey); writer.key("AttributeType"); writer.string("S"); writer.endObject()
            writer.endArray()
            writer.key("KeySchema")
            writer.beginArray()
            writer.beginObject(); writer.key("AttributeName"); writer.string(hashKey); writer.key("KeyType"); writer.string("HASH"); writer.endObject()
            writer.endArray()
            writer.key("BillingMode"); writer.string("PAY_PER_REQUEST")
        }
        do {
            _ = try call(action: "CreateTable", body: body)
        } catch where error.errorType == "ResourceInUseException" {
            return
        }
    }

    public func deleteTable(_ table: String) throws(AWSCallError) {
        _ = try call(action: "DeleteTable", body: Self.object { $0.key("TableName"); $0.string(table) })
    }

    // MARK: - Items

    /// Writes `item` whole; false when `condition` does not hold (nothing written).
    @discardableResult
    public func putItem(_ table: String, _ item: DynamoItem, condition: DynamoExpression? = nil) throws(AWSCallError) -> Bool {
        let body = Self.object { writer in
            writer.key("TableName"); writer.string(table)
            writer.key("Item"); Self.write(item, &writer)
            if let condition { Self.write(condition, as: "ConditionExpression", &writer) }
        }
        return try conditional("PutItem", body)
    }

    /// Applies `update` (`SET #n0 = :v0 REMOVE #n1`) to the item at `key`; false when
    /// `condition` does not hold (nothing changed).
    @discardableResult
    public func updateItem(_ table: String, key: DynamoItem, update: DynamoExpression, condition: DynamoExpression? = nil) throws(AWSCallError) -> Bool {
        var expressions = update
        if let condition {
            expressions.names.merge(condition.names) { first, _ in first }
            expressions.values.merge(condition.values) { first, _ in first }
        }
        let body = Self.object { writer in
            writer.key("TableName"); writer.string(table)
            writer.key("Key"); Self.write(key, &writer)
            writer.key("UpdateExpression"); writer.string(update.text)
            if let condition { writer.key("ConditionExpression"); writer.string(condition.text) }
            Self.writePlaceholders(expressions, &writer)
        }
        return try conditional("UpdateItem", body)
    }

    /// Deletes the item at `key`; false when `condition` does not hold.
    @discardableResult
    public func deleteItem(_ table: String, key: DynamoItem, condition: DynamoExpression? = nil) throws(AWSCallError) -> Bool {
        let body = Self.object { writer in
            writer.key("TableName"); writer.string(table)
            writer.key("Key"); Self.write(key, &writer)
            if let condition { Self.write(condition, as: "ConditionExpression", &writer) }
        }
        return try conditional("DeleteItem", body)
    }

    /// The item at `key`, read consistently, or nil.
    public func getItem(_ table: String, key: DynamoItem) throws(AWSCallError) -> DynamoItem? {
        let body = try call(action: "GetItem", body: Self.object { writer in
            writer.key("TableName"); writer.string(table)
            writer.key("Key"); Self.write(key, &writer)
            writer.key("ConsistentRead"); writer.bool(true)
        })
        var item: DynamoItem?
        try read("GetItem", body) { reader, member in
            if member == "Item" { item = try Self.readItem(&reader) } else { try reader.skipValue() }
        }
        return item
    }

    /// Every item of the table, read consistently, page after page.
    public func scan(_ table: String) throws(AWSCallError) -> [DynamoItem] {
        var items: [DynamoItem] = []
        var startKey: DynamoItem?
        repeat {
            let body = try call(action: "Scan", body: Self.object { writer in
                writer.key("TableName"); writer.string(table)
                writer.key("ConsistentRead"); writer.bool(true)
                if let startKey { writer.key("ExclusiveStartKey"); Self.write(startKey, &writer) }
            })
            startKey = nil
            try read("Scan", body) { reader, member in
                switch member {
                case "Items": try reader.readArray { reader, _ in items.append(try Self.readItem(&reader)) }
                case "LastEvaluatedKey": startKey = reader.readNull() ? nil : try Self.readItem(&reader)
                default: try reader.skipValue()
                }
            }
        } while startKey != nil
        return items
    }

    // MARK: - The wire

    private func conditional(_ action: String, _ body: [UInt8]) throws(AWSCallError) -> Bool {
        do {
            _ = try call(action: action, body: body)
            return true
        } catch where error.errorType == "ConditionalCheckFailedException" {
            return false
        }
    }

    private func read(_ action: String, _ body: [UInt8], _ member: (inout JSONReader, String) throws -> Void) throws(AWSCallError) {
        do throws(WireError) {
            try readAnswer(body, member)
        } catch {
            throw .unreadable("DynamoDB \(action) at \(endpoint) gave an answer that cannot be read: \(error.message)")
        }
    }

    static func object(_ members: (inout JSONWriter) -> Void) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        members(&writer)
        writer.endObject()
        return writer.bytes
    }

    private static func key(_ name: String, _ writer: inout JSONWriter) {
        var name = name
        name.withUTF8 { writer.key(utf8: $0) }
    }

    static func write(_ item: DynamoItem, _ writer: inout JSONWriter) {
        writer.beginObject()
        for name in item.keys.sorted() {
            key(name, &writer)
            write(item[name]!, &writer)
        }
        writer.endObject()
    }

    static func write(_ value: DynamoValue, _ writer: inout JSONWriter) {
        writer.beginObject()
        switch value {
        case let .string(text): writer.key("S"); writer.string(text)
        case let .number(text): writer.key("N"); writer.string(text)
        case let .bool(flag): writer.key("BOOL"); writer.bool(flag)
        case .null: writer.key("NULL"); writer.bool(true)
        case let .stringSet(values):
            writer.key("SS")
            writer.beginArray()
            for value in values { writer.string(value) }
            writer.endArray()
        }
        writer.endObject()
    }

    private static func write(_ expression: DynamoExpression, as member: StaticString, _ writer: inout JSONWriter) {
        writer.key(member)
        writer.string(expression.text)
        writePlaceholders(expression, &writer)
    }

    private static func writePlaceholders(_ expression: DynamoExpression, _ writer: inout JSONWriter) {
        if !expression.names.isEmpty {
            writer.key("ExpressionAttributeNames")
            writer.beginObject()
            for name in expression.names.keys.sorted() {
                key(name, &writer)
                writer.string(expression.names[name]!)
            }
            writer.endObject()
        }
        if !expression.values.isEmpty {
            writer.key("ExpressionAttributeValues")
            write(expression.values, &writer)
        }
    }

    static func readItem(_ reader: inout JSONReader) throws -> DynamoItem {
        var item: DynamoItem = [:]
        try reader.readObject { reader, name in
            var value: DynamoValue?
            try reader.readObject { reader, type in
                switch type {
                case "S": value = .string(try reader.readString())
                case "N": value = .number(try reader.readString())
                case "BOOL": value = .bool(try reader.readBool())
                case "NULL": _ = try reader.readBool(); value = .null
                case "SS":
                    var values: [String] = []
                    try reader.readArray { reader, _ in values.append(try reader.readString()) }
                    value = .stringSet(values)
                default: throw WireError("attribute \(name) has type \(type), which a lease table does not hold")
                }
            }
            guard let value else { throw WireError("attribute \(name) has no value") }
            item[name] = value
        }
        return item
    }
}
