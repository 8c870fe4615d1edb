// Rankings: the real-time ranking engine (issue 5), being written.
