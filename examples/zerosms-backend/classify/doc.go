// Package classify flags spam and phishing SMS with a multinomial naive Bayes
// model over hashed character n-grams and words, trained on the SMS Spam
// Collection by a reproducible command.
//
// The shipped model is a versioned artefact embedded in the package: its
// counts, its training configuration and metadata, and its SHA-256, checked
// when it is loaded. Because the model is counts, retraining is exact and
// cheap, and a user's own labels can be added on top of it without touching
// anyone else's model: see Personal.
package classify
