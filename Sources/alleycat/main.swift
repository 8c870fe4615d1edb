print("alleycat")
