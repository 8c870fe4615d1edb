import RaceModel
@testable import KinesisStream

typealias VirtualClockForTests = VirtualClock

func entry(_ text: String, key: String = "k", explicit: String? = nil) -> PutRecordsRequestEntry {
    PutRecordsRequestEntry(data: Array(text.utf8), partitionKey: key, explicitHashKey: explicit)
}

func entries(_ count: Int, size: Int = 10, key: String = "k") -> [PutRecordsRequestEntry] {
    (0..<count).map { _ in PutRecordsRequestEntry(data: [UInt8](repeating: 0x61, count: size), partitionKey: key) }
}

func validationMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as StreamError {
        return error.description
    } catch {
        return "unexpected error \(error)"
    }
}
