package conformance

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"sync"
)

const (
	pngMIME = "image/png"
	wavMIME = "audio/wav"
)

// pngImage is a small PNG image (a 2x2 red square) for the image fixtures.
var pngImage = sync.OnceValue(func() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	for x := range 2 {
		for y := range 2 {
			img.Set(x, y, color.RGBA{R: 0xd0, A: 0xff})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic("conformance: encoding the fixture PNG: " + err.Error())
	}
	return buf.Bytes()
})

// wavAudio is a short WAV file (RIFF, 16-bit mono PCM at 8 kHz, 10 ms of
// silence) for the audio fixture.
var wavAudio = sync.OnceValue(func() []byte {
	const (
		sampleRate    = 8000
		channels      = 1
		bitsPerSample = 16
		samples       = sampleRate / 100
		dataSize      = samples * channels * bitsPerSample / 8
	)
	var buf bytes.Buffer
	le := func(v any) { _ = binary.Write(&buf, binary.LittleEndian, v) }
	buf.WriteString("RIFF")
	le(uint32(36 + dataSize))
	buf.WriteString("WAVE")
	buf.WriteString("fmt ")
	le(uint32(16))                                        // fmt chunk size
	le(uint16(1))                                         // audio format: PCM
	le(uint16(channels))                                  // channels
	le(uint32(sampleRate))                                // sample rate
	le(uint32(sampleRate * channels * bitsPerSample / 8)) // byte rate
	le(uint16(channels * bitsPerSample / 8))              // block align
	le(uint16(bitsPerSample))                             // bits per sample
	buf.WriteString("data")
	le(uint32(dataSize))
	buf.Write(make([]byte, dataSize))
	return buf.Bytes()
})
