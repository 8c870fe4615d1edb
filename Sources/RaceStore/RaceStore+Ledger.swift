import GRDB

extension RaceStore {
    /// Whether a delivered object's key was committed in some `MergeBatch`.
    public func isMerged(objectKey: String) throws -> Bool {
        try database.read { db in
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM merged_objects WHERE key = ?)"),
                arguments: [objectKey]) ?? false
        }
    }

    /// Every object key in the ledger.
    public func mergedObjectKeys() throws -> Set<String> {
        try database.read { db in
            try Set(String.fetchCursor(db, sql: "SELECT key FROM merged_objects"))
        }
    }
}
