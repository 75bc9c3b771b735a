param testToObject = toObject(['a', 'b', 'c'], x => {x: x}}}, x => 'Hi ${x}!')
