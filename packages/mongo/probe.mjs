import { MongoClient } from 'mongodb';

let fails = 0;
for (let i = 0; i < 20; i++) {
  const c = new MongoClient('mongodb://127.0.0.1:40869/');
  try {
    await c.connect();
    await c.db('x').command({ hello: 1 });
    await c.db('x').command({ ping: 1 });
  } catch (e) {
    fails++;
    console.log('fail', i, e.message);
  } finally {
    await c.close();
  }
}
console.log('fails', fails);
