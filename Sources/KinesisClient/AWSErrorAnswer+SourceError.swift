import AWSClient
import StreamReading

extension AWSErrorAnswer {
    /// What a reader does with it: renew the iterator, wait, stop reading the shard, or report.
    public func sourceError(action: String, endpoint: String) -> SourceError {
        let what = "\(action) at \(endpoint)"
        guard !type.isEmpty else {
            let text = "\(what) answered HTTP \(status): \(message)"
            return status == 429 ? .throttled(text) : .failure(text)
        }
        let text = "\(what) failed with \(type) (HTTP \(status)): \(message)"
        if type == "ExpiredIteratorException" { return .expiredIterator(text) }
        if Self.throttlingTypes.contains(type) || status == 429 { return .throttled(text) }
        if type == "ResourceNotFoundException" { return .notFound(text + "; check the stream name and the region (AWS_REGION)") }
        if Self.credentialTypes.contains(type) {
            return .failure(text + "; check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, and that AWS_REGION is the stream's region")
        }
        if type == "ExpiredTokenException" {
            return .failure(text + "; the session token has expired: renew the credentials (AWS_SESSION_TOKEN)")
        }
        if type == "AccessDeniedException" {
            return .failure(text + "; the credentials need permission for kinesis:\(action) on this stream")
        }
        return .failure(text)
    }
}
