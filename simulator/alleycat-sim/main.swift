print("alleycat-sim")
