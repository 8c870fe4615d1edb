import RaceModel
print(Roster.tsv(), terminator: "")
