// this file lost its package clause

func helper() {}
