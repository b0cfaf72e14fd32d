package util

// Subscribed reports whether s has found its backplane and subscribed.
func Subscribed[T any](s *SubscribeTo[T]) bool { return s.sub.Load() != nil }
