module github.com/ztkit/ztkit/examples

go 1.26

require github.com/ztkit/ztkit v0.0.0

replace github.com/ztkit/ztkit => ../
