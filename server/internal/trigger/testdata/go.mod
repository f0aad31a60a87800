module testguests

go 1.26
